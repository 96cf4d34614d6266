"""Earn: period earning lines = to-date amount now − to-date amount at the previous point.

Also posts ``cap`` lines for period and plan-year caps (on the running total of the scope) and
``clawback`` lines for deals cancelled after their scope closed. Every line keeps its trace.
"""

from __future__ import annotations

from openspm.engine.compile.context import SCOPE_MONTHS, Ctx
from openspm.engine.compile.dialect import S_LINE, S_RATIO, S_VALUE
from openspm.engine.plan.schema import Commission, Component
from openspm.engine.stages.caps import cap_amount
from openspm.engine.stages.lines import (
    LINE_COLS,
    LINE_TYPES,
    line_key,
    read_lines,
    spans_pay_periods,
)

OUT_TYPES = {**LINE_TYPES, "prior_amount": f"DECIMAL(38, {S_LINE})"}
TRACE = [c for c in LINE_COLS if c not in ("line_key", "pp", "to_date_amount")]


def earn(ctx: Ctx, component_tables: list[str], pts: str) -> str:
    d = ctx.dialect
    union = "\nUNION ALL ".join(d.typed(read_lines(ctx, t), LINE_TYPES) for t in component_tables)
    td = ctx.add_view("lines_td", union)
    if not spans_pay_periods(ctx):
        # every scope is one pay period: nothing earlier to subtract
        diff = ctx.add_view(
            "earn_diff", f"SELECT l.*, {d.zero(S_LINE)} AS prior_amount FROM {td} l"
        )
        return _finish(ctx, diff, pts)
    # a scope of the pay period's own length has q_idx = pp (quarterly) or y_idx = pp (yearly)
    nxt_scope = "CASE l.scope_months WHEN 3 THEN nx.q_idx WHEN 12 THEN nx.y_idx ELSE nx.pp END"
    trace = ",\n  ".join(
        (
            f"COALESCE(MAX(CASE WHEN u.is_cur = 1 THEN u.{c} END), MAX(u.{c})) AS {c}"
            if c != "is_held"
            else "BOOL_OR(u.is_held) AS is_held"
        )
        for c in TRACE
    )
    diff = ctx.add(
        "earn_diff",
        (
            f"SELECT u.line_key, u.pp,\n  {trace},\n"
            f"  SUM(u.cur) AS to_date_amount, SUM(u.prior) AS prior_amount\nFROM (\n"
            f"  SELECT l.*, l.to_date_amount AS cur, {d.zero(S_LINE)} AS prior, 1 AS is_cur "
            f"FROM {td} l\n"
            "  UNION ALL\n"
            f"  SELECT {', '.join('nx.pp' if c == 'pp' else 'l.' + c for c in LINE_COLS)}, "
            f"{d.zero(S_LINE)} AS cur, l.to_date_amount AS prior, 0 AS is_cur\n"
            f"  FROM {td} l JOIN {pts} nx ON nx.pp = l.pp + 1 AND {nxt_scope} = l.scope_idx\n"
            ") u GROUP BY u.line_key, u.pp"
        ),
    )
    return _finish(ctx, diff, pts)


def _finish(ctx: Ctx, diff: str, pts: str) -> str:
    """``earn_all``: every line with its period and amount. A view: its two readers (pay
    lines and the earnings output) each scan the component tables again, which costs less
    than materialising millions of wide rows once; the cap and clawback lines, aggregates
    over all lines, are materialised apart."""
    d = ctx.dialect
    out_cols = [*LINE_COLS, "prior_amount"]
    parts = [f"SELECT {', '.join(out_cols)} FROM {diff}"]
    extra = [
        _cap_lines(ctx, comp, diff, pts)
        for comp in ctx.plan.components
        if comp.cap and comp.cap.scope in ("period", "plan_year")
    ]
    claws = _cross_scope_clawbacks(ctx, diff, pts)
    if claws:
        extra.append(claws)
    if extra:
        table = ctx.add("earn_extra", "\nUNION ALL ".join(d.typed(p, OUT_TYPES) for p in extra))
        parts.append(f"SELECT {', '.join(out_cols)} FROM {table}")
    amount = "d.to_date_amount - d.prior_amount"
    is_claw = (
        f"d.cancel_pp IS NOT NULL AND d.pp = d.cancel_pp AND {amount} < 0 AND d.line_type <> 'cap'"
    )
    return ctx.add_view(
        "earn_all",
        (
            f"SELECT d.*, pt.period_id, pt.in_run, ({amount}) AS amount,\n"
            f"  CASE WHEN {is_claw} THEN 'clawback' ELSE d.line_type END AS kind\n"
            "FROM (\n"
            + "\nUNION ALL ".join(ctx.dialect.typed(p, OUT_TYPES) for p in parts)
            + f"\n) d JOIN {pts} pt ON pt.pp = d.pp"
        ),
    )


def _cap_lines(ctx: Ctx, comp: Component, diff: str, pts: str) -> str:
    """Cap the running total of a component over its scope (``period``) or plan year."""
    d = ctx.dialect
    assert comp.cap is not None
    acc = getattr(comp, "accumulate", "per_transaction")
    if comp.cap.scope == "plan_year":
        window = "pt.y_idx"
    else:
        months = SCOPE_MONTHS[acc]
        window = {3: "pt.q_idx", 12: "pt.y_idx"}.get(months, "pt.pp")
    cap = cap_amount(ctx, comp.cap.amount, comp.cap.ti_multiple)
    cum = (
        "SUM(g.amount) OVER (PARTITION BY g.payee_id, g.win ORDER BY g.pp ROWS BETWEEN "
        "UNBOUNDED PRECEDING AND CURRENT ROW)"
    )
    key = line_key(ctx, d.str_lit(comp.id), "'|'", "c.payee_id", "'|cap'")
    months = SCOPE_MONTHS[acc] or ctx.cal.freq_months
    return (
        f"SELECT {key} AS line_key, {d.str_lit(comp.id)} AS component_id, "
        f"{d.str_lit(comp.kind)} AS component_kind, 'cap' AS line_type, c.payee_id, c.pp, "
        f"{months} AS scope_months, c.win AS scope_idx, NULL, NULL, NULL, NULL, NULL, "
        f"{d.rescale('c.cum', S_VALUE)}, {d.rescale('c.cap', S_RATIO)}, NULL, NULL, NULL, "
        "NULL, NULL, NULL, NULL, c.is_held, c.cap_td AS to_date_amount, NULL, NULL, NULL, "
        f"COALESCE(LAG(c.cap_td) OVER (PARTITION BY c.payee_id, c.win ORDER BY c.pp), "
        f"{d.zero(S_LINE)}) AS prior_amount\nFROM (\n"
        f"  SELECT h.*, LEAST({d.zero(S_LINE)}, h.cap - h.cum) AS cap_td FROM (\n"
        f"    SELECT g.*, {cum} AS cum, {cap} AS cap FROM (\n"
        f"      SELECT x.payee_id, x.pp, {window} AS win, BOOL_OR(x.is_held) AS is_held, "
        f"SUM(x.to_date_amount - x.prior_amount) AS amount\n"
        f"      FROM {diff} x JOIN {pts} pt ON pt.pp = x.pp\n"
        f"      WHERE x.component_id = {d.str_lit(comp.id)} GROUP BY x.payee_id, x.pp, {window}\n"
        f"    ) g LEFT JOIN in_payees pe ON pe.payee_id = g.payee_id\n  ) h\n) c"
    )


def _cross_scope_clawbacks(ctx: Ctx, diff: str, pts: str) -> str | None:
    """Reverse earnings of a deal cancelled in a later scope than the one that paid it."""
    claw = ctx.plan.pay.clawback
    if not claw:
        return None
    d = ctx.dialect
    comps = [c.id for c in ctx.plan.components if isinstance(c, Commission) or c.kind == "spiff"]
    if not comps:
        return None
    ids = ", ".join(d.str_lit(c) for c in comps)
    key = line_key(ctx, "x.component_id", "'|'", "x.credit_id", "'|clawback'")
    scope_at_cancel = (
        "CASE x.scope_months WHEN 3 THEN cp.q_idx WHEN 12 THEN cp.y_idx ELSE cp.pp END"
    )
    earned = "SUM(x.to_date_amount - x.prior_amount)"
    return (
        f"SELECT {key} AS line_key, x.component_id, MAX(x.component_kind), 'clawback', "
        "x.payee_id, MAX(x.cancel_pp), MAX(x.scope_months), MAX(x.scope_idx), x.credit_id, "
        "MAX(x.transaction_id), MAX(x.credit_reason), MAX(x.measure_id), NULL, NULL, NULL, "
        "NULL, NULL, NULL, MAX(x.claw_factor), NULL, MAX(x.cancel_pp), MAX(x.claw_factor), "
        f"BOOL_OR(x.is_held), -{d.scaled_mul(earned, 'MAX(x.claw_factor)', S_RATIO)} AS "
        "to_date_amount, MAX(x.tx_no), MAX(x.credit_key), NULL, "
        f"{d.zero(S_LINE)} AS prior_amount\n"
        f"FROM {diff} x JOIN {pts} cp ON cp.pp = x.cancel_pp\n"
        f"WHERE x.component_id IN ({ids}) AND x.cancel_pp IS NOT NULL AND x.pp < x.cancel_pp "
        f"AND x.scope_idx <> {scope_at_cancel} AND x.line_type <> 'cap'\n"
        "GROUP BY x.component_id, x.payee_id, x.credit_id"
    )
