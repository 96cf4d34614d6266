"""Measure: credit values per measure, quotas (with ramps), to-date totals and attainment.

``mv`` holds one value per credit and measure; ``mp`` the to-date total of each payee, measure
and accumulation scope at the end of every pay period, with the scope's quota; ``active`` the
days each payee was assigned to the plan (not on leave, not terminated) in each pay period.
"""

from __future__ import annotations

from openspm.engine.compile.context import SCOPE_MONTHS, Ctx
from openspm.engine.compile.dialect import S_RATIO, S_SHARE, S_TX, S_VALUE
from openspm.engine.compile.sql import bool_filter
from openspm.engine.stages.common import (
    compiler,
    open_end,
    overlap_days,
    str_list,
    typed_expr,
    values_table,
)
from openspm.kernel.periods import MONTHS, month_index, period_of


def points(ctx: Ctx) -> str:
    """The calendar: one row per pay period of the run's context, with scope windows."""
    d, cal = ctx.dialect, ctx.cal
    rows = []
    for period in cal.periods:
        pp = cal.pp_of(period.start)
        mi = month_index(period.start) - (cal.fiscal_start_month - 1)
        q0, y0 = (mi // 3) * 3, (mi // 12) * 12
        base = cal.fiscal_start_month - 1
        rows.append(
            [
                str(pp),
                d.str_lit(period.id),
                d.str_lit(period.fiscal_key),
                d.date_lit(period.start),
                d.date_lit(period.end),
                "TRUE" if pp >= cal.run_first else "FALSE",
                str(mi + base),
                str(mi + base + cal.freq_months),
                str(mi // 3),
                str(q0 + base),
                str(q0 + base + 3),
                str(mi // 12),
                str(y0 + base),
                str(y0 + base + 12),
            ]
        )
    cols = [
        "pp",
        "period_id",
        "period_key",
        "start_on",
        "end_on",
        "in_run",
        "mi_start",
        "mi_end",
        "q_idx",
        "q_mi_start",
        "q_mi_end",
        "y_idx",
        "y_mi_start",
        "y_mi_end",
    ]
    return ctx.add("points", values_table(ctx, cols, rows))


def scope_cols(accumulate: str, alias: str) -> tuple[str, str, str]:
    """(scope index, window start month index, window end month index) columns of a point."""
    months = SCOPE_MONTHS[accumulate]
    if months == 3:
        return f"{alias}.q_idx", f"{alias}.q_mi_start", f"{alias}.q_mi_end"
    if months == 12:
        return f"{alias}.y_idx", f"{alias}.y_mi_start", f"{alias}.y_mi_end"
    return f"{alias}.pp", f"{alias}.mi_start", f"{alias}.mi_end"


def measure_values(ctx: Ctx, tx: str, credits: str) -> str:
    d, plan = ctx.dialect, ctx.plan
    selects = []
    for name, measure in plan.measures.items():
        value = typed_expr(ctx, ("measures", name, "value"), measure.value, "number")
        filt = (
            typed_expr(ctx, ("measures", name, "filter"), measure.filter, "bool")
            if measure.filter
            else None
        )
        where = bool_filter(compiler(ctx, "t"), filt)
        if measure.credit_reasons:
            where += f" AND c.credit_reason IN ({str_list(ctx, list(measure.credit_reasons))})"
        raw = d.at(compiler(ctx, "t").visit(value), S_TX)
        val = d.mul(f"COALESCE({raw}, {d.zero(S_TX)})", "c.credit_percent")
        selects.append(
            f"SELECT c.credit_id, c.transaction_id, c.payee_id, c.credit_reason, c.credit_on, "
            f"c.pp, c.cancel_pp, c.claw_factor, c.credit_percent, c.tx_no, c.credit_key, "
            f"{d.str_lit(name)} AS measure_id, "
            f"{val} AS value\nFROM {credits} c JOIN {tx} t ON t.tx_no = c.tx_no"
            f"\nWHERE {where}"
        )
    return ctx.add("mv", "\nUNION ALL ".join(selects))


def effective_value(ctx: Ctx, alias: str, pp: str) -> str:
    """A credit's value at point ``pp``: reduced after a clawback that lowers attainment."""
    claw = ctx.plan.pay.clawback
    if not claw or not claw.reduces_attainment:
        return f"{alias}.value"
    d = ctx.dialect
    return (
        f"CASE WHEN {alias}.cancel_pp IS NOT NULL AND {alias}.cancel_pp <= {pp} THEN "
        f"{d.scaled_mul(f'{alias}.value', f'{d.dec(1)} - {alias}.claw_factor', S_RATIO, S_VALUE)} "
        f"ELSE {alias}.value END"
    )


def quotas(ctx: Ctx) -> str:
    """Quota rows of this plan with their month span and ramp-adjusted amount."""
    d, plan, cal = ctx.dialect, ctx.plan, ctx.cal
    seen: dict[str, tuple[int, int]] = {}
    for period in cal.periods:
        for m in period.split("month"):
            for kind in MONTHS:
                p = period_of(m.start, kind, cal.fiscal_start_month)
                seen[p.id] = (month_index(p.start), MONTHS[kind])
                seen[p.fiscal_key] = seen[p.id]
    rows = [[d.str_lit(pid), str(start), str(n)] for pid, (start, n) in sorted(seen.items())]
    pmap = values_table(ctx, ["period_id", "q_mi_start", "months"], rows)
    if plan.ramp:
        cases = " ".join(
            f"WHEN {i + 1} THEN {d.at(d.dec_lit(s), S_SHARE)}"
            for i, s in enumerate(plan.ramp.schedule)
        )
        tenure = f"(m.q_mi_start + o.k - {d.month_index('pe.hired_on')} + 1)"
        one, zero = d.at(1, S_SHARE), d.zero(S_SHARE)
        factor = (
            f"CASE WHEN pe.hired_on IS NULL THEN {one} WHEN {tenure} < 1 THEN "
            f"{zero} ELSE CASE {tenure} {cases} ELSE {one} END END"
        )
        offsets = values_table(ctx, ["k"], [[str(k)] for k in range(12)])
        amount = (
            f"(SELECT {d.div(d.mul('q.quota_amount', f'SUM({factor})'), 'm.months')} "
            f"FROM ({offsets}) o WHERE o.k < m.months)"
        )
    else:
        amount = d.at("q.quota_amount", S_RATIO)
    return ctx.add(
        "quota_rows",
        (
            f"SELECT q.payee_id, q.measure_id, m.q_mi_start, m.q_mi_start + m.months AS q_mi_end, "
            f"m.months, {amount} AS quota_amount\n"
            f"FROM in_quotas q JOIN ({pmap}) m ON m.period_id = q.period_id\n"
            "LEFT JOIN in_payees pe ON pe.payee_id = q.payee_id\n"
            f"WHERE q.plan_id IS NULL OR q.plan_id = {d.str_lit(plan.id)}"
        ),
    )


def active_days(ctx: Ctx, assign: str, pts: str) -> str:
    """Days each payee is active under the plan in each pay period (leave and exit excluded)."""
    far = open_end(ctx, "NULL")
    term = f"COALESCE(pe.terminated_on, {far})"
    a_to = f"LEAST(a.effective_to, {term})"
    assigned = overlap_days(ctx, "a.effective_from", a_to, "pt.start_on", "pt.end_on")
    leave = overlap_days(
        ctx,
        "GREATEST(a.effective_from, l.effective_from)",
        f"LEAST({a_to}, {open_end(ctx, 'l.effective_to')})",
        "pt.start_on",
        "pt.end_on",
    )
    d = ctx.dialect
    return ctx.add(
        "active",
        (
            "SELECT x.payee_id, x.pp, SUM(x.days) AS active_days, MAX(x.period_days) AS "
            "period_days"
            f"\nFROM (\n  SELECT a.payee_id, pt.pp, {assigned} AS days, "
            f"{d.days_between('pt.start_on', 'pt.end_on')} AS period_days\n"
            f"  FROM {assign} a CROSS JOIN {pts} pt LEFT JOIN in_payees pe ON pe.payee_id = "
            "a.payee_id"
            f"\n  UNION ALL\n  SELECT a.payee_id, pt.pp, -{leave} AS days, "
            f"{d.days_between('pt.start_on', 'pt.end_on')} AS period_days\n"
            f"  FROM {assign} a JOIN in_leaves l ON l.payee_id = a.payee_id CROSS JOIN {pts} pt\n"
            "  LEFT JOIN in_payees pe ON pe.payee_id = a.payee_id\n) x GROUP BY x.payee_id, x.pp"
        ),
    )


def measure_points(
    ctx: Ctx, mv: str, qrows: str, assign: str, pts: str, uses: list[tuple[str, str]]
) -> str:
    """To-date totals and quotas for each (measure, accumulate) in ``uses``."""
    d = ctx.dialect
    selects = []
    for measure, acc in sorted(set(uses)):
        sidx, ws, we = scope_cols(acc, "pt")
        vs = ctx.scope_of("v.pp", acc)
        eff = effective_value(ctx, "v", "pt.pp")
        contained = (
            f"(SELECT SUM(q.quota_amount) FROM {qrows} q WHERE q.payee_id = g.payee_id "
            f"AND q.measure_id = {d.str_lit(measure)} AND q.q_mi_start >= g.ws AND "
            f"q.q_mi_end <= g.we)"
        )
        containing = (
            f"(SELECT SUM({d.div(d.mul('q.quota_amount', '(g.we - g.ws)'), 'q.months')})"
            f" FROM {qrows} q WHERE q.payee_id = g.payee_id AND q.measure_id = "
            f"{d.str_lit(measure)} AND q.q_mi_start <= g.ws AND q.q_mi_end >= g.we "
            "AND q.months > (g.we - g.ws))"
        )
        selects.append(
            f"SELECT g.payee_id, {d.str_lit(measure)} AS measure_id, {d.str_lit(acc)} AS "
            f"accumulate, g.pp, g.period_id, g.in_run, g.to_date_value, g.period_value, "
            f"COALESCE({contained}, {containing}) AS quota_amount\nFROM (\n"
            f"  SELECT a.payee_id, pt.pp, pt.period_id, pt.in_run, {sidx} AS sidx, {ws} AS ws, "
            f"{we} AS we,\n    COALESCE(SUM({eff}), {d.zero(S_VALUE)}) AS to_date_value,\n"
            f"    COALESCE(SUM(CASE WHEN v.pp = pt.pp THEN {eff} END), {d.zero(S_VALUE)}) AS "
            "period_value"
            f"\n  FROM (SELECT DISTINCT payee_id FROM {assign}) a CROSS JOIN {pts} pt\n"
            f"  LEFT JOIN {mv} v ON v.payee_id = a.payee_id AND v.measure_id = "
            f"{d.str_lit(measure)} AND {vs} = {sidx} AND v.pp <= pt.pp\n"
            f"  GROUP BY a.payee_id, pt.pp, pt.period_id, pt.in_run, {sidx}, {ws}, {we}\n) g"
        )
    union = (
        "\nUNION ALL ".join(selects)
        if selects
        else (
            "SELECT CAST(NULL AS VARCHAR) AS payee_id, CAST(NULL AS VARCHAR) AS measure_id, "
            "CAST(NULL AS VARCHAR) AS accumulate, 0 AS pp, CAST(NULL AS VARCHAR) AS period_id, "
            f"FALSE AS in_run, {d.zero(S_VALUE)} AS to_date_value, {d.zero(S_VALUE)} AS "
            "period_value, "
            f"{d.dec(0)} AS quota_amount WHERE FALSE"
        )
    )
    return ctx.add(
        "mp",
        f"SELECT m.*, {d.div('m.to_date_value', 'm.quota_amount')} AS "
        f"attainment\nFROM (\n{union}\n) m",
    )
