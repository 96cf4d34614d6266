"""The shape of a to-date earning line: every component's lines have these columns, in this
order, with these types (the earn stage unions them)."""

from __future__ import annotations

from openspm.engine.compile.dialect import S_LINE, S_RATIO, S_VALUE


def _dec(scale: int) -> str:
    return f"DECIMAL(38, {scale})"


#: Canonical type of every line column (TEXT is the dialect's text type).
LINE_TYPES: dict[str, str] = {
    "line_key": "TEXT",
    "component_id": "TEXT",
    "component_kind": "TEXT",
    "line_type": "TEXT",
    "payee_id": "TEXT",
    "pp": "BIGINT",
    "scope_months": "BIGINT",
    "scope_idx": "BIGINT",
    "credit_id": "TEXT",
    "transaction_id": "TEXT",
    "credit_reason": "TEXT",
    "measure_id": "TEXT",
    "measure_value": _dec(S_VALUE),
    "basis_to_date": _dec(S_VALUE),
    "quota_amount": _dec(S_RATIO),
    "attainment": _dec(S_RATIO),
    "tier": "TEXT",
    "rate": _dec(S_RATIO),
    "multiplier": _dec(S_RATIO),
    "objective_id": "TEXT",
    "cancel_pp": "BIGINT",
    "claw_factor": _dec(S_RATIO),
    "is_held": "BOOLEAN",
    "to_date_amount": _dec(S_LINE),
}

#: Columns of every to-date line, in order.
LINE_COLS = [
    "line_key",
    "component_id",
    "component_kind",
    "line_type",
    "payee_id",
    "pp",
    "scope_months",
    "scope_idx",
    "credit_id",
    "transaction_id",
    "credit_reason",
    "measure_id",
    "measure_value",
    "basis_to_date",
    "quota_amount",
    "attainment",
    "tier",
    "rate",
    "multiplier",
    "objective_id",
    "cancel_pp",
    "claw_factor",
    "is_held",
    "to_date_amount",
]
