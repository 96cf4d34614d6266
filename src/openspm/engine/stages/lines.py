"""The shape of a to-date earning line: every component's lines have these columns, in this
order, with these types (the earn stage unions them), and the key that matches a line with
itself a pay period later.

``tx_no``, ``credit_key`` and ``tier_key`` are integers that order the output
(`openspm.engine.compile.order`), never output themselves."""

from __future__ import annotations

from openspm.engine.compile.context import SCOPE_MONTHS, Ctx
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
    "tx_no": "BIGINT",
    "credit_key": "BIGINT",
    "tier_key": "BIGINT",
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
    "tx_no",
    "credit_key",
    "tier_key",
]


def spans_pay_periods(ctx: Ctx) -> bool:
    """Whether a component accumulates over more than one pay period (a quarter-to-date
    commission paid monthly, say): the earn stage then turns its to-date lines into period
    lines by difference with the previous period's, matched on their line keys."""
    return any(
        SCOPE_MONTHS.get(getattr(c, "accumulate", "per_transaction"), 0) > ctx.cal.freq_months
        for c in ctx.plan.components
    )


def line_key(ctx: Ctx, *parts: str) -> str:
    """The line key built from ``parts``, or an empty one when no line is ever matched with
    an earlier one (`spans_pay_periods`): 4 million key strings that nothing reads cost
    about 4 % of a 1,000,000-transaction run."""
    if not spans_pay_periods(ctx):
        return f"CAST(NULL AS {ctx.dialect.text})"
    return ctx.dialect.concat(*parts)


def add_lines(ctx: Ctx, name: str, columns: dict[str, str], constant: set[str], source: str) -> str:
    """Materialise a component's lines: ``columns`` maps every line column to its SQL over
    ``source`` (``FROM …``). The ``constant`` ones hold one literal for all the lines and are
    not stored but added back by `read_lines`: storing nine such columns of 4 million lines
    cost a fifth of tier slicing. ``line_key`` is one of them when it is empty (`line_key`)."""
    assert list(columns) == LINE_COLS, "a line table has every line column, in order"
    if not spans_pay_periods(ctx):
        constant = constant | {"line_key"}
    stored = ", ".join(f"{sql} AS {c}" for c, sql in columns.items() if c not in constant)
    table = ctx.add(name, f"SELECT {stored}\n{source}")
    ctx.line_constants[table] = {c: columns[c] for c in constant}
    return table


def read_lines(ctx: Ctx, table: str) -> str:
    """Every line column of a component's line table, its constant columns as literals."""
    constant = ctx.line_constants.get(table, {})
    cols = ", ".join(f"{constant[c]} AS {c}" if c in constant else c for c in LINE_COLS)
    return f"SELECT {cols} FROM {table}"
