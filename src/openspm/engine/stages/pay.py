"""Pay: earnings become payout lines per payee, pay period and component.

``earning`` lines pay this period's releasable earnings; ``true_up`` lines pay what the context
periods earned minus ``prior_payouts`` (pay = earned to date − paid to date); ``release`` lines
free earlier held amounts; ``draw`` and ``recovery`` lines apply the draw with its carried
balance; amounts are converted to the payee's currency at the declared rate date, and one
``rounding`` line per payee and period rounds the total once to the minor unit.
"""

from __future__ import annotations

from openspm.engine.compile.context import Ctx
from openspm.engine.compile.dialect import S_FX, S_LINE, S_PLAN, S_RATIO
from openspm.engine.stages.common import open_end
from openspm.kernel.money import MINOR_UNITS

PAY_TYPES = {
    "payee_id": "TEXT",
    "component_id": "TEXT",
    "pp": "BIGINT",
    "line_type": "TEXT",
    "plan_amount": f"DECIMAL(38, {S_LINE})",
    "held_amount": f"DECIMAL(38, {S_LINE})",
    "draw_balance_amount": f"DECIMAL(38, {S_LINE})",
    "transaction_ids": "TEXT",
    "line_count": "BIGINT",
}
OUT_TYPES = {
    "plan_id": "TEXT",
    "plan_version": "BIGINT",
    "payee_id": "TEXT",
    "period_id": "TEXT",
    "component_id": "TEXT",
    "line_type": "TEXT",
    "plan_amount": f"DECIMAL(38, {S_LINE})",
    "plan_currency": "TEXT",
    "fx_rate": f"DECIMAL(38, {S_FX})",
    "amount": f"DECIMAL(38, {S_LINE})",
    "currency": "TEXT",
    "held_amount": f"DECIMAL(38, {S_LINE})",
    "draw_balance_amount": f"DECIMAL(38, {S_LINE})",
    "transaction_ids": "TEXT",
    "line_count": "BIGINT",
}
PAY_COLS = [
    "payee_id",
    "component_id",
    "pp",
    "line_type",
    "plan_amount",
    "held_amount",
    "draw_balance_amount",
    "transaction_ids",
    "line_count",
]


def _release(ctx: Ctx, end: str) -> str:
    """Fraction of a held line releasable before ``end``."""
    d, hold = ctx.dialect, ctx.plan.pay.hold
    assert hold is not None
    if hold.release == "on_invoice":
        ok = f"t.invoiced_on IS NOT NULL AND t.invoiced_on < {end}"
        free = f"NOT e.is_held OR e.transaction_id IS NULL OR {ok}"
        return f"CASE WHEN {free} THEN {d.dec(1)} ELSE {d.dec(0)} END"
    frac = f"LEAST({d.dec(1)}, GREATEST({d.dec(0)}, {d.div('t.collected_amount', 't.amount')}))"
    return (
        f"CASE WHEN NOT e.is_held OR e.transaction_id IS NULL THEN {d.dec(1)} "
        f"WHEN t.paid_on IS NOT NULL AND t.paid_on < {end} THEN {d.dec(1)} "
        f"WHEN t.collected_amount IS NOT NULL AND t.amount <> 0 THEN {frac} "
        f"ELSE {d.dec(0)} END"
    )


def pay_lines(ctx: Ctx, earn_all: str, tx: str, pts: str) -> str:
    d, cal = ctx.dialect, ctx.cal
    first = cal.run_first
    kind = (
        f"CASE WHEN e.pp = r.pp THEN 'earning' WHEN e.pp < {first} AND r.pp = {first} "
        "THEN 'true_up' ELSE 'release' END"
    )
    if ctx.plan.pay.hold:
        rel_now, rel_before = _release(ctx, "r.end_on"), _release(ctx, "r.start_on")
        now_part = (
            f"CASE WHEN ({rel_now}) = 1 THEN e.amount WHEN ({rel_now}) = 0 THEN "
            f"{d.zero(S_LINE)} ELSE {d.scaled_mul('e.amount', rel_now, S_RATIO)} END"
        )
        step = f"({rel_now}) - ({rel_before})"
        released = (
            f"CASE WHEN {step} = 0 THEN {d.zero(S_LINE)} WHEN {step} = 1 THEN e.amount "
            f"ELSE {d.scaled_mul('e.amount', step, S_RATIO)} END"
        )
        contrib = (
            f"CASE WHEN e.pp = r.pp OR (e.pp < {first} AND r.pp = {first}) THEN "
            f"{now_part} ELSE {released} END"
        )
        held = (
            f"CASE WHEN e.pp = r.pp OR (e.pp < {first} AND r.pp = {first}) THEN "
            f"e.amount - ({now_part}) ELSE {d.zero(S_LINE)} END"
        )
        join = f"LEFT JOIN {tx} t ON t.tx_no = e.tx_no\n"
        where = "e.amount <> 0"
    else:
        contrib, held, join = "e.amount", d.zero(S_LINE), ""
        where = f"e.amount <> 0 AND (e.pp = r.pp OR (e.pp < {first} AND r.pp = {first}))"
    prior = (
        f"SELECT p.payee_id, COALESCE(p.component_id, '') AS component_id, {first} AS pp, "
        f"'true_up' AS line_type, -{d.at('SUM(p.amount)', S_LINE)} AS plan_amount, "
        f"{d.zero(S_LINE)} AS held_amount, "
        "NULL AS draw_balance_amount, NULL AS transaction_ids, 0 AS line_count\n"
        f"FROM in_prior_payouts p JOIN {pts} pt ON p.period_id IN (pt.period_id, "
        "pt.period_key) AND "
        f"pt.pp < {first}\nWHERE p.plan_id = {d.str_lit(ctx.plan.id)}\n"
        "GROUP BY p.payee_id, COALESCE(p.component_id, '')"
    )
    return ctx.add(
        "pay_lines",
        (
            "SELECT g.payee_id, g.component_id, g.pp, g.line_type, SUM(g.plan_amount) AS "
            "plan_amount, SUM(g.held_amount) AS held_amount, NULL AS draw_balance_amount, "
            "MAX(g.transaction_ids) AS transaction_ids, SUM(g.line_count) AS line_count FROM (\n"
            + d.typed(
                # per transaction first (a GROUP BY spills to disk), so the ordered list of
                # ids needs no DISTINCT set per line: a VP's line lists a million ids at 10M
                "SELECT x.payee_id, x.component_id, x.pp, x.line_type, SUM(x.plan_amount) AS "
                "plan_amount, SUM(x.held_amount) AS held_amount, NULL AS draw_balance_amount, "
                f"{d.string_agg('x.transaction_id', ';', 'x.tx_no')} AS transaction_ids, "
                "SUM(x.line_count) AS line_count FROM (\n"
                f"SELECT e.payee_id, e.component_id, r.pp, {kind} AS line_type, e.tx_no, "
                "MAX(e.transaction_id) AS transaction_id, "
                f"SUM({contrib}) AS plan_amount, SUM({held}) AS held_amount, COUNT(*) AS "
                f"line_count\nFROM {earn_all} e JOIN {pts} r ON r.in_run AND e.pp <= r.pp\n{join}"
                f"WHERE {where}\nGROUP BY e.payee_id, e.component_id, r.pp, {kind}, "
                "e.tx_no\n) x GROUP BY x.payee_id, x.component_id, x.pp, x.line_type",
                PAY_TYPES,
            )
            + f"\nUNION ALL\n{d.typed(prior, PAY_TYPES)}\n) g "
            "GROUP BY g.payee_id, g.component_id, g.pp, g.line_type\n"
            "HAVING SUM(g.plan_amount) <> 0 OR SUM(g.held_amount) <> 0"
        ),
    )


def draws(ctx: Ctx, lines: str, active: str, pts: str) -> str | None:
    """Unrolled per run period: the draw tops up low pay; recoverable draws are repaid later."""
    draw = ctx.plan.pay.draw
    if draw is None:
        return None
    limit = ctx.dialect.at(ctx.dialect.dec_lit(draw.recovery_limit), S_PLAN)
    d, cal = ctx.dialect, ctx.cal
    pid = d.str_lit(ctx.plan.id)
    state = ctx.add(
        "draw_bal_0",
        (
            f"SELECT payee_id, {d.at('SUM(balance_amount)', S_LINE)} AS balance FROM "
            "in_draw_balances "
            f"WHERE plan_id = {pid} GROUP BY payee_id"
        ),
    )
    outputs = []
    for i, pp in enumerate(range(cal.run_first, cal.run_last + 1)):
        period = cal.index(pp)
        running = draw.ends_on is None or period.start < draw.ends_on
        amount = (
            d.at(d.div(d.mul(d.dec_lit(draw.amount), "a.active_days"), "a.period_days"), S_LINE)
            if running
            else d.zero(S_LINE)
        )
        step = ctx.add(
            f"draw_{i + 1}",
            (
                f"SELECT s.*, GREATEST({d.zero(S_LINE)}, s.draw_amount - s.net) AS topup,\n"
                + (
                    "  CASE WHEN s.net > s.draw_amount THEN LEAST(s.balance, s.net - "
                    "s.draw_amount, "
                    f"{d.scaled_mul('s.net', limit, S_PLAN)}) ELSE "
                    f"{d.zero(S_LINE)} END"
                    if draw.recoverable
                    else d.zero(S_LINE)
                )
                + " AS recovery\n"
                f"FROM (\n  SELECT x.payee_id, {pp} AS pp, COALESCE(MAX(b.balance), "
                f"{d.zero(S_LINE)}) AS "
                f"balance, COALESCE(MAX(n.net), {d.zero(S_LINE)}) AS net, COALESCE(MAX({amount}), "
                f"{d.zero(S_LINE)}) AS draw_amount\n"
                f"  FROM (SELECT payee_id FROM {active} WHERE pp = {pp} AND active_days > 0 "
                f"UNION SELECT payee_id FROM {state}) x\n"
                f"  LEFT JOIN {state} b ON b.payee_id = x.payee_id\n"
                f"  LEFT JOIN (SELECT payee_id, SUM(plan_amount) AS net FROM {lines} WHERE pp "
                f"= {pp}"
                " GROUP BY payee_id) n ON n.payee_id = x.payee_id\n"
                f"  LEFT JOIN {active} a ON a.payee_id = x.payee_id AND a.pp = {pp}\n"
                "  GROUP BY x.payee_id\n) s"
            ),
        )
        topup_adds = "s.topup" if draw.recoverable else d.zero(S_LINE)
        state = ctx.add(
            f"draw_bal_{i + 1}",
            (f"SELECT s.payee_id, s.balance + {topup_adds} - s.recovery AS balance FROM {step} s"),
        )
        outputs.append(
            d.typed(
                f"SELECT s.payee_id, '' AS component_id, s.pp, 'draw' AS line_type, s.topup AS "
                f"plan_amount, {d.zero(S_LINE)} AS held_amount, b.balance AS draw_balance_amount, "
                "NULL AS "
                f"transaction_ids, 0 AS line_count\nFROM {step} s JOIN {state} b ON b.payee_id = "
                f"s.payee_id WHERE s.topup > 0",
                PAY_TYPES,
            )
            + "\nUNION ALL\n"
            + d.typed(
                "SELECT s.payee_id, '' AS component_id, s.pp, 'recovery', -s.recovery, "
                f"{d.zero(S_LINE)}, "
                f"b.balance, NULL, 0\nFROM {step} s JOIN {state} b ON b.payee_id = s.payee_id "
                "WHERE s.recovery > 0",
                PAY_TYPES,
            )
        )
    return ctx.add("draw_lines", "\nUNION ALL\n".join(outputs))


def payouts(ctx: Ctx, lines: str, draw_lines: str | None, pts: str) -> str:
    """Convert to the payee's currency and round the period total once."""
    d, plan = ctx.dialect, ctx.plan
    cols = ", ".join(PAY_COLS)
    union = d.typed(f"SELECT {cols} FROM {lines}", PAY_TYPES) + (
        f"\nUNION ALL {d.typed(f'SELECT {cols} FROM {draw_lines}', PAY_TYPES)}"
        if draw_lines
        else ""
    )
    ccy = d.str_lit(plan.currency)
    on = (
        "DATE_ADD(r.end_on, INTERVAL (-1) DAY)"
        if plan.pay.fx_rate_date == "period_end"
        else "r.start_on"
    )
    if d.name != "duckdb" and plan.pay.fx_rate_date == "period_end":
        on = "(r.end_on - 1)"
    conv = ctx.add(
        "pay_fx",
        (
            f"SELECT u.*, r.period_id, COALESCE(pe.currency, {ccy}) AS currency, "
            f"{on} AS rate_on,\n  CASE WHEN COALESCE(pe.currency, {ccy}) = {ccy} THEN "
            f"{d.at(1, S_FX)} "
            "ELSE fx.rate END AS fx_rate\n"
            f"FROM ({union}) u JOIN {pts} r ON r.pp = u.pp\n"
            "LEFT JOIN in_payees pe ON pe.payee_id = u.payee_id\n"
            f"LEFT JOIN in_fx_rates fx ON fx.from_currency = {ccy} AND fx.to_currency = "
            "pe.currency "
            f"AND fx.effective_from <= {on} AND {on} < {open_end(ctx, 'fx.effective_to')}"
        ),
    )
    ctx.checks.append(
        (
            f"SELECT currency, CAST(rate_on AS VARCHAR), payee_id FROM {conv} WHERE fx_rate "
            "IS NULL "
            "ORDER BY 3 LIMIT 1",
            f"fx_rates: no rate from {plan.currency} to {{0}} on {{1}} to pay payee {{2}}",
        )
    )
    mode = plan.pay.rounding.mode
    total = "SUM(c.amount)"
    if plan.pay.rounding.places is not None:
        rounded = d.round_money(total, plan.pay.rounding.places, mode)
    else:
        groups: dict[int, list[str]] = {}
        for code, places in MINOR_UNITS.items():
            groups.setdefault(places, []).append(code)
        whens = " ".join(
            f"WHEN MAX(c.currency) IN ({', '.join(d.str_lit(c) for c in codes)}) THEN "
            f"{d.round_money(total, places, mode)}"
            for places, codes in sorted(groups.items())
        )
        rounded = f"CASE {whens} ELSE {d.round_money(total, 2, mode)} END"
    amounts = ctx.add(
        "pay_amounts",
        (
            f"SELECT f.*, CASE WHEN f.fx_rate = 1 THEN f.plan_amount ELSE "
            f"{d.scaled_mul('f.plan_amount', 'f.fx_rate', S_FX)} END AS amount FROM {conv} f"
        ),
    )
    return ctx.add(
        "payouts",
        (
            d.typed(
                f"SELECT {d.str_lit(plan.id)} AS plan_id, {plan.version} AS plan_version, "
                "a.payee_id, a.period_id, a.component_id, a.line_type, a.plan_amount, "
                f"{ccy} AS plan_currency, a.fx_rate, a.amount, a.currency, a.held_amount, "
                f"a.draw_balance_amount, a.transaction_ids, a.line_count\nFROM {amounts} a",
                OUT_TYPES,
            )
            + "\nUNION ALL\n"
            + d.typed(
                f"SELECT {d.str_lit(plan.id)}, {plan.version}, c.payee_id, MAX(c.period_id), "
                f"'', 'rounding', NULL, {ccy}, NULL, {d.at(rounded, S_LINE)} - {total}, "
                f"MAX(c.currency), {d.zero(S_LINE)}, "
                f"NULL, NULL, 0\nFROM {amounts} c GROUP BY c.payee_id, c.pp\n"
                f"HAVING {rounded} <> {total}",
                OUT_TYPES,
            )
        ),
    )
