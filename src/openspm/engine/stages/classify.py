"""Classify: one row per transaction in the window, money in plan currency, derived attributes.

Money columns (``amount`` and every ``*_amount``) are converted to the plan currency at the
rate valid on the plan's ``fx_rate_date``; the originals stay as ``source_amount`` and
``source_currency`` for the trace.
"""

from __future__ import annotations

from openspm.engine import expr
from openspm.engine.compile.context import Ctx
from openspm.engine.compile.dialect import DEC, S_FX
from openspm.engine.errors import PlanError
from openspm.engine.stages.common import compiler, open_end, typed_expr


def money_columns(ctx: Ctx) -> list[str]:
    return [
        c
        for c, t in ctx.tx_columns.items()
        if t == "number" and (c == "amount" or c.endswith("_amount"))
    ]


def classify(ctx: Ctx, base_columns: list[str]) -> str:
    """Emit ``tx``; returns its table name. ``ctx.tx_columns`` gains the derived columns."""
    d, plan, cal = ctx.dialect, ctx.plan, ctx.cal
    cd = f"t.{plan.credit_date}"
    rd = cd if plan.fx_rate_date == "credit_date" else f"t.{plan.fx_rate_date}"
    money = set(money_columns(ctx))
    ccy = d.str_lit(plan.currency)
    fx = f"CASE WHEN t.currency = {ccy} THEN {d.at(1, S_FX)} ELSE fx.rate END"
    cols = []
    for name in base_columns:
        q = d.ident(name)
        cols.append(f"{d.mul(f't.{q}', fx)} AS {q}" if name in money else f"t.{q}")
    window = [f"{cd} >= {d.date_lit(cal.start)}", f"{cd} < {d.date_lit(cal.end)}"]
    if plan.effective_from:
        window.append(f"{cd} >= {d.date_lit(plan.effective_from)}")
    if plan.effective_to:
        window.append(f"{cd} < {d.date_lit(plan.effective_to)}")
    fs = plan.fiscal_year_start_month
    pp = d.int_div(f"{d.month_index(cd)} - {fs - 1}", str(cal.freq_months))
    claw = plan.pay.clawback
    if claw:
        elapsed = d.days_between(cd, "t.cancelled_on")
        inside = (
            f"t.cancelled_on IS NOT NULL AND t.cancelled_on >= {cd} "
            f"AND {elapsed} < {claw.window_days}"
        )
        cpp = d.int_div(f"{d.month_index('t.cancelled_on')} - {fs - 1}", str(cal.freq_months))
        cancel_pp = f"CASE WHEN {inside} THEN {cpp} END"
        if claw.method == "full":
            factor = f"CASE WHEN {inside} THEN {d.dec(1)} END"
        else:
            w = d.dec(claw.window_days)
            factor = f"CASE WHEN {inside} THEN {d.div(f'{w} - {elapsed}', w)} END"
    else:
        cancel_pp, factor = "CAST(NULL AS BIGINT)", f"CAST(NULL AS {DEC})"
    base = (
        "SELECT " + ",\n  ".join(cols) + ",\n"
        f"  t.amount AS source_amount, t.currency AS source_currency, {fx} AS fx_rate,\n"
        f"  {cd} AS credit_on, {pp} AS pp, {cancel_pp} AS cancel_pp, {factor} AS claw_factor,\n"
        "  k.tx_no\nFROM in_transactions t\n"
        # the transaction's rank: orders the outputs as its id would, and faster
        # (`openspm.engine.compile.order`); ranked apart from the wide rows, which is cheaper
        "JOIN (SELECT transaction_id, ROW_NUMBER() OVER (ORDER BY transaction_id) AS tx_no "
        "FROM in_transactions) k ON k.transaction_id = t.transaction_id\n"
        f"LEFT JOIN in_fx_rates fx ON fx.from_currency = t.currency AND fx.to_currency = {ccy}\n"
        f"  AND fx.effective_from <= {rd} AND {rd} < {open_end(ctx, 'fx.effective_to')}\n"
        "WHERE " + " AND ".join(window)
    )
    select = base
    for name, text in plan.classify.items():  # each derived column may use the earlier ones
        if name in ctx.tx_columns:
            raise PlanError(
                f"{ctx.loaded.file}: invalid plan",
                [ctx.loaded.issue(("classify", name), f"{name!r} is already a transaction column")],
            )
        node = typed_expr(ctx, ("classify", name), text, None)
        value = compiler(ctx, "b").visit(node)
        select = f"SELECT b.*, {value} AS {d.ident(name)}\nFROM (\n{select}\n) b"
        ctx.tx_columns[name] = expr.check(node, ctx.tx_columns)
    table = ctx.add("tx", select)
    ctx.checks.append(
        (
            f"SELECT source_currency, credit_on, transaction_id FROM {table} "
            "WHERE fx_rate IS NULL ORDER BY transaction_id LIMIT 1",
            "transactions: no fx rate from {0} to " + plan.currency + " on {1} "
            "(transaction {2}); add it to fx_rates",
        )
    )
    ctx.checks.append(
        (
            f"SELECT transaction_id FROM {table} GROUP BY transaction_id HAVING COUNT(*) > 1 "
            "ORDER BY 1 LIMIT 1",
            "transactions: transaction_id {0} is given more than once",
        )
    )
    return table
