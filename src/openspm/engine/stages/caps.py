"""Caps on earning lines: per deal (a negative ``cap`` line where one credit earns more than
the cap) and the cap amount itself (a fixed amount, or a multiple of the payee's target
incentive). Period and plan-year caps are posted by the earn stage."""

from __future__ import annotations

from decimal import Decimal

from openspm.engine.compile.context import Ctx
from openspm.engine.compile.dialect import S_LINE
from openspm.engine.plan.schema import Commission
from openspm.engine.stages.lines import LINE_TYPES, line_key, read_lines


def transaction_cap(ctx: Ctx, k: int, comp: Commission, lines: str) -> str:
    """Add a negative ``cap`` line wherever one credit earns more than the cap."""
    d = ctx.dialect
    assert comp.cap is not None
    cap = cap_amount(ctx, comp.cap.amount, comp.cap.ti_multiple)
    every = f"({read_lines(ctx, lines)})"
    key = line_key(ctx, d.str_lit(comp.id), "'|'", "g.credit_id", "'|cap'")
    return ctx.add(
        f"c{k}_capped",
        (
            f"{d.typed(read_lines(ctx, lines), LINE_TYPES)}\nUNION ALL\n"
            + d.typed(
                f"SELECT {key} AS line_key, g.component_id, g.component_kind, 'cap' AS line_type, "
                "g.payee_id, g.pp, g.scope_months, g.scope_idx, g.credit_id, g.transaction_id, "
                "g.credit_reason, g.measure_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
                f"g.cancel_pp, g.claw_factor, g.is_held, {cap} - g.earned AS to_date_amount, "
                "g.tx_no, g.credit_key, NULL\n"
                "FROM (\n  SELECT l.payee_id, l.pp, l.credit_id, MAX(l.component_id) AS "
                "component_id, "
                "MAX(l.component_kind) AS component_kind, MAX(l.scope_months) AS scope_months, "
                "MAX(l.scope_idx) AS scope_idx, MAX(l.transaction_id) AS transaction_id, "
                "MAX(l.credit_reason) AS credit_reason, MAX(l.measure_id) AS measure_id, "
                "MAX(l.cancel_pp) AS cancel_pp, MAX(l.claw_factor) AS claw_factor, "
                "BOOL_OR(l.is_held) AS is_held, SUM(l.to_date_amount) AS earned, "
                "MAX(l.tx_no) AS tx_no, MAX(l.credit_key) AS credit_key\n"
                f"  FROM {every} l GROUP BY l.payee_id, l.pp, l.credit_id\n) g\n"
                f"LEFT JOIN in_payees pe ON pe.payee_id = g.payee_id\nWHERE g.earned > {cap}",
                LINE_TYPES,
            )
        ),
    )


def cap_amount(ctx: Ctx, amount: Decimal | None, ti_multiple: Decimal | None) -> str:
    d = ctx.dialect
    if amount is not None:
        return d.at(d.dec_lit(amount), S_LINE)
    assert ti_multiple is not None
    return d.at(d.mul("pe.target_incentive_amount", d.dec_lit(ti_multiple)), S_LINE)
