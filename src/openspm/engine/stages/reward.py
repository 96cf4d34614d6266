"""Reward: each component's earning lines, valued to date at the end of every pay period.

A line's to-date amount is what the component's math gives for the credits of the scope so far;
the earn stage turns to-date amounts into period amounts by difference (the true-up). Tier
slicing follows each credit's position in a running total over a deterministic order
``(credit_on, transaction_id, credit_id)`` (`stages.positions`): a window function, never a loop.
"""

from __future__ import annotations

from decimal import Decimal

from openspm.engine.compile.context import SCOPE_MONTHS, Ctx
from openspm.engine.compile.dialect import S_LINE, S_PLAN, S_RATIO, S_VALUE
from openspm.engine.compile.sql import bool_filter
from openspm.engine.plan.schema import Bonus, Commission, Component, Gate, Spiff, Tier
from openspm.engine.stages.caps import transaction_cap
from openspm.engine.stages.common import compiler, str_list, typed_expr, values_table
from openspm.engine.stages.lines import add_lines, line_key
from openspm.engine.stages.measure import effective_value, scope_cols
from openspm.engine.stages.positions import positions


def uses(comp: Component) -> list[tuple[str, str]]:
    """(measure, accumulate) pairs whose to-date totals ``comp`` reads."""
    out: list[tuple[str, str]] = []
    if isinstance(comp, Commission | Bonus):
        acc = comp.accumulate
        out.append((comp.measure, acc if acc != "per_transaction" else "period_to_date"))
    else:
        acc = "period_to_date"
    measure = getattr(comp, "measure", None)
    if comp.gate:
        out.append(
            (
                comp.gate.measure or measure or "",
                acc if acc != "per_transaction" else "period_to_date",
            )
        )
    if isinstance(comp, Commission):
        for m in comp.multipliers:
            out.append(
                (m.measure or comp.measure, acc if acc != "per_transaction" else "period_to_date")
            )
    return [u for u in out if u[0]]


def acc_for_points(acc: str) -> str:
    """The accumulation whose measure rows a component's gates and tiers read (a
    per-transaction component reads the period's)."""
    return "period_to_date" if acc == "per_transaction" else acc


def _threshold(
    ctx: Ctx,
    mp_alias: str,
    min_attainment: Decimal | None,
    min_value: Decimal | None,
    inclusive: bool,
) -> str:
    d = ctx.dialect
    op = ">=" if inclusive else ">"
    if min_attainment is not None:
        return (
            f"COALESCE({mp_alias}.to_date_value {op} "
            f"{d.mul(d.dec_lit(min_attainment), f'{mp_alias}.quota_amount')}, FALSE)"
        )
    assert min_value is not None
    return f"COALESCE({mp_alias}.to_date_value {op} {d.dec_lit(min_value)}, FALSE)"


def gate_sql(
    ctx: Ctx, comp: Component, gate: Gate, mp: str, acc: str, default: str, inclusive: bool
) -> tuple[str, str]:
    """The join to the gate's measure rows (alias ``gm``) and the condition that opens it."""
    d = ctx.dialect
    join = (
        f"LEFT JOIN {mp} gm ON gm.payee_id = x.payee_id AND gm.pp = x.pp AND gm.measure_id = "
        f"{d.str_lit(gate.measure or default)} AND gm.accumulate = "
        f"{d.str_lit(acc_for_points(acc))}\n"
    )
    return join, _threshold(ctx, "gm", gate.min_attainment, gate.min_value, inclusive)


def head_columns(ctx: Ctx, comp: Component, line_type: str, acc: str) -> dict[str, str]:
    """The first line columns (after ``line_key``) of a component's lines over alias ``x``."""
    d = ctx.dialect
    return {
        "component_id": d.str_lit(comp.id),
        "component_kind": d.str_lit(comp.kind),
        "line_type": d.str_lit(line_type),
        "payee_id": "x.payee_id",
        "pp": "x.pp",
        "scope_months": str(SCOPE_MONTHS[acc] or ctx.cal.freq_months),
        "scope_idx": ctx.scope_of("x.pp", acc),
    }


#: line columns that every component's lines fill with the component's own literals
HEAD_CONSTANTS = {"component_id", "component_kind", "line_type", "scope_months"}


def head_select(ctx: Ctx, comp: Component, line_type: str, acc: str) -> str:
    """``head_columns`` as a select list."""
    return ", ".join(f"{sql} AS {c}" for c, sql in head_columns(ctx, comp, line_type, acc).items())


def credit_line_tail(comp: Commission | Spiff, amount: str, tier_key: str) -> dict[str, str]:
    """The last columns of a credit's line over alias ``x``: what a clawback and a hold read,
    the line's amount and its order keys (`openspm.engine.compile.order`)."""
    return {
        "cancel_pp": "x.cancel_pp",
        "claw_factor": "x.claw_factor",
        "is_held": "TRUE" if comp.hold else "FALSE",
        "to_date_amount": amount,
        "tx_no": "x.tx_no",
        "credit_key": "x.credit_key",
        "tier_key": tier_key,
    }


def commission(ctx: Ctx, k: int, comp: Commission, mv: str, mp: str, tx: str, pts: str) -> str:
    """Lines of a flat or tiered commission."""
    d = ctx.dialect
    acc = comp.accumulate
    tiers = comp.tiers or [Tier.model_validate({"from": 0, "rate": comp.rate})]
    per_tx = acc == "per_transaction"
    base = credit_base(ctx, comp, k, comp.measure, acc, mv, tx, pts)

    def join_quota(alias: str) -> str:
        return (
            f"LEFT JOIN {mp} q ON q.payee_id = {alias}.payee_id AND q.pp = {alias}.pp AND "
            f"q.measure_id = {d.str_lit(comp.measure)} AND q.accumulate = "
            f"{d.str_lit(acc_for_points(acc))}"
        )

    quota_join = join_quota("b")

    def unit(bound: str, quota: str = "p.quota_amount") -> str:
        if comp.tier_basis == "attainment":
            return d.at(d.mul(bound, quota), S_VALUE)
        return d.at(bound, S_VALUE)

    if per_tx:
        pos = ctx.add_view(
            f"c{k}_pos",
            f"SELECT b.*, {d.zero(S_VALUE)} AS cum_before, b.v_at AS total, q.quota_amount, "
            f"q.attainment, q.to_date_value AS scope_to_date\nFROM {base} b\n{quota_join}",
        )
    else:
        # a marginal plan's first tier also takes what lies below its lower bound
        lower = tiers[1:] if comp.tiering == "marginal" else tiers
        edges = sorted({t.from_ for t in lower} | {t.to for t in tiers if t.to is not None})
        pos = positions(
            ctx,
            k,
            base,
            join_quota,
            lambda quota: [unit(d.at(d.dec_lit(e), S_PLAN), quota) for e in edges],
            exact=comp.tiering != "retroactive",
            edge_columns=comp.tiering == "marginal",
        )
    if comp.tier_basis == "attainment":
        ctx.checks.append(
            (
                f"SELECT b.payee_id, pt.period_id FROM {base} b {quota_join}\n"
                f"JOIN {pts} pt ON pt.pp = b.pp "
                "WHERE q.quota_amount IS NULL OR q.quota_amount = 0 ORDER BY 1, 2 LIMIT 1",
                f"quotas: payee {{0}} has no quota for measure {comp.measure!r} in {{1}}, which "
                f"component {comp.id!r} of plan {ctx.plan.id!r} needs for attainment",
            )
        )
    # the output orders a credit's lines by tier label, as text (then by position)
    labels = [t.label or str(i + 1) for i, t in enumerate(tiers)]
    key_of = {
        i: r + 1 for r, i in enumerate(sorted(range(len(tiers)), key=lambda i: (labels[i], i)))
    }
    rows = []
    for i, t in enumerate(tiers):
        rows.append(
            [
                str(i),
                str(key_of[i]),
                d.at(d.dec_lit(t.from_), S_PLAN),
                d.at(d.dec_lit(t.to), S_PLAN)
                if t.to is not None
                else f"CAST(NULL AS DECIMAL(38, {S_PLAN}))",
                d.at(d.dec_lit(t.rate) if t.rate is not None else 0, S_PLAN),
                d.at(d.dec_lit(t.amount) if t.amount is not None else 0, S_PLAN),
                d.str_lit(labels[i]),
            ]
        )
    tiers_sql = values_table(
        ctx, ["tier_index", "tier_key", "t_from", "t_to", "rate", "amount", "label"], rows
    )

    from_u, to_u = unit("t.t_from"), unit("t.t_to")
    if comp.tiering == "retroactive":
        if comp.bounds == "lower_inclusive":
            low, high = ">=", "<"
        else:
            low, high = ">", "<="
        cond = (
            f"(t.tier_index = 0 OR p.total {low} {from_u}) "
            f"AND (t.t_to IS NULL OR p.total {high} {to_u})"
        )
        slice_, earning, rate = "p.v_at", d.mul("p.v_at", "t.rate"), "t.rate"
    else:
        lo = "LEAST(p.cum_before, p.cum_before + p.v_at)"
        hi = "GREATEST(p.cum_before, p.cum_before + p.v_at)"
        sign = "CASE WHEN p.v_at < 0 THEN -1 ELSE 1 END"
        low_b = (
            f"CASE WHEN t.tier_index = 0 THEN {lo} ELSE GREATEST({lo}, {from_u}) END"
            if comp.tiering == "marginal"
            else f"GREATEST({lo}, {from_u})"
        )
        slice_ = f"({sign} * (LEAST({hi}, COALESCE({to_u}, {hi})) - {low_b}))"
        first_ok = "t.tier_index = 0 OR " if comp.tiering == "marginal" else ""
        cond = f"({first_ok}{hi} > {from_u}) AND (t.t_to IS NULL OR {lo} < {to_u}) AND p.v_at <> 0"
        if comp.tiering == "marginal":
            earning, rate = d.mul("x.slice", "x.rate"), "t.rate"
        else:
            width = f"({to_u} - {from_u})"
            rate = d.div("t.amount", width)
            earning = d.at(d.div(d.mul("x.slice", "x.amount"), "(x.t_to_u - x.t_from_u)"), S_LINE)
    source = pos
    if comp.tiering == "marginal" and not per_tx:
        source, cond, slice_ = _one_tier_first(comp, pos, len(edges), cond, slice_)
    inner = (
        f"SELECT p.*, t.tier_index, t.tier_key, t.label, t.amount, {rate} AS rate, "
        f"{slice_} AS slice, "
        f"{from_u} AS t_from_u, {to_u} AS t_to_u\nFROM {source} p JOIN ({tiers_sql}) t ON "
        f"{cond}"
    )
    if comp.tiering == "retroactive":
        earning = d.mul("x.v_at", "x.rate")
    gate_join, gate_ok = ("", "TRUE")
    if comp.gate:
        gate_join, gate_ok = gate_sql(
            ctx, comp, comp.gate, mp, acc, comp.measure, comp.bounds == "lower_inclusive"
        )
    mult = _multiplier(ctx, comp, mp, acc)
    mult_scale = S_PLAN * len({m.measure or comp.measure for m in comp.multipliers})
    if comp.multipliers:
        scaled = d.scaled_mul(earning, mult[1], mult_scale)
        earning = f"CASE WHEN {mult[1]} = 1 THEN {earning} ELSE {scaled} END"
    amount = f"CASE WHEN {gate_ok} THEN {earning} ELSE {d.zero(S_LINE)} END"
    amount = after_clawback(ctx, amount)
    key = line_key(ctx, d.str_lit(comp.id), "'|'", "x.credit_id", "'|'", "x.tier_index")
    columns = {
        "line_key": key,
        **head_columns(ctx, comp, "commission", acc),
        "credit_id": "x.credit_id",
        "transaction_id": "x.transaction_id",
        "credit_reason": "x.credit_reason",
        "measure_id": d.str_lit(comp.measure),
        "measure_value": "x.v_at",
        "basis_to_date": "x.total",
        "quota_amount": "x.quota_amount",
        "attainment": "x.attainment",
        "tier": "x.label",
        "rate": d.at("x.rate", S_RATIO),
        "multiplier": d.rescale(mult[1], S_RATIO) if comp.multipliers else mult[1],
        "objective_id": "CAST(NULL AS VARCHAR)",
        **credit_line_tail(comp, amount, "x.tier_key"),
    }
    constant = HEAD_CONSTANTS | {"measure_id", "objective_id", "is_held"}
    constant |= set() if comp.multipliers else {"multiplier"}
    lines = add_lines(ctx, f"c{k}", columns, constant, f"FROM ({inner}) x\n{gate_join}{mult[0]}")
    if comp.cap and comp.cap.scope == "transaction":
        return transaction_cap(ctx, k, comp, lines)
    return lines


def _one_tier_first(
    comp: Commission, pos: str, edges: int, cond: str, slice_: str
) -> tuple[str, str, str]:
    """Marginal tiers: most credits lie inside one tier, whose index is the number of tier
    bounds (``edge_<j>`` of the position rows, ascending) at or below the credit's range, and
    whose slice is the whole credit. Only a credit whose range crosses a bound needs the
    per-tier bounds and slices (products of 128-bit decimals, evaluated for every credit ×
    tier pair before). Returns the position rows with ``tier_lo``/``tier_hi``, the join
    condition and the slice."""
    lo = "LEAST(p.cum_before, p.cum_before + p.v_at)"
    hi = "GREATEST(p.cum_before, p.cum_before + p.v_at)"
    below = " + ".join(f"CASE WHEN {lo} >= p.edge_{j} THEN 1 ELSE 0 END" for j in range(edges))
    under = " + ".join(f"CASE WHEN {hi} > p.edge_{j} THEN 1 ELSE 0 END" for j in range(edges))
    tier_lo, tier_hi = (below or "0"), (under or "0")
    if comp.tier_basis == "attainment":
        # bounds ascend only with a positive quota: otherwise every tier is a candidate
        tier_lo = f"CASE WHEN p.quota_amount > 0 THEN {tier_lo} ELSE 0 END"
        tier_hi = f"CASE WHEN p.quota_amount > 0 THEN {tier_hi} ELSE {edges} END"
    source = f"(SELECT p.*, {tier_lo} AS tier_lo, {tier_hi} AS tier_hi FROM {pos} p)"
    one = "p.tier_lo = p.tier_hi"
    return (
        source,
        f"t.tier_index BETWEEN p.tier_lo AND p.tier_hi AND p.v_at <> 0 AND ({one} OR ({cond}))",
        f"CASE WHEN {one} THEN p.v_at ELSE {slice_} END",
    )


def after_clawback(ctx: Ctx, amount: str) -> str:
    """``amount`` less the clawed-back share once the deal is cancelled (by the line's
    period). A clawback that ``reduces_attainment`` takes the credit out of the measure
    instead, so the line keeps its amount."""
    claw = ctx.plan.pay.clawback
    if not claw or claw.reduces_attainment:
        return amount
    d = ctx.dialect
    return (
        f"CASE WHEN x.cancel_pp IS NOT NULL AND x.cancel_pp <= x.pp THEN "
        f"{d.scaled_mul(amount, f'{d.dec(1)} - x.claw_factor', S_RATIO)} ELSE {amount} END"
    )


def _multiplier(ctx: Ctx, comp: Commission, mp: str, acc: str) -> tuple[str, str]:
    d = ctx.dialect
    if not comp.multipliers:
        return "", d.at(1, S_RATIO)
    groups: dict[str, list[int]] = {}
    for j, m in enumerate(comp.multipliers):
        groups.setdefault(m.measure or comp.measure, []).append(j)
    joins, factors = [], []
    for g, (measure, idxs) in enumerate(sorted(groups.items())):
        alias = f"mm{g}"
        joins.append(
            f"LEFT JOIN {mp} {alias} ON {alias}.payee_id = x.payee_id AND {alias}.pp = "
            f"x.pp AND {alias}.measure_id = {d.str_lit(measure)} AND {alias}.accumulate"
            f" = {d.str_lit(acc_for_points(acc))}\n"
        )
        ms = sorted(
            (comp.multipliers[j] for j in idxs),
            key=lambda m: (m.min_attainment or m.min_value or Decimal(0)),
            reverse=True,
        )
        inclusive = comp.bounds == "lower_inclusive"
        whens = " ".join(
            "WHEN "
            f"{_threshold(ctx, alias, m.min_attainment, m.min_value, inclusive)}"
            f" THEN {d.at(d.dec_lit(m.factor), S_PLAN)}"
            for m in ms
        )
        factors.append(f"CASE {whens} ELSE {d.at(1, S_PLAN)} END")
    expr = factors[0]
    for f in factors[1:]:
        expr = d.mul(expr, f)
    return "".join(joins), expr


def credit_base(
    ctx: Ctx,
    comp: Commission | Spiff,
    k: int,
    measure: str | None,
    acc: str,
    mv: str,
    tx: str,
    pts: str,
) -> str:
    """Credits (of ``measure``, or credited amounts) passing the component's filters, at every
    point of their scope."""
    d = ctx.dialect
    sidx, _, _ = scope_cols(acc, "pt")
    where = [f"v.measure_id = {d.str_lit(measure)}" if measure else "TRUE"]
    if comp.credit_reasons:
        where.append(f"v.credit_reason IN ({str_list(ctx, list(comp.credit_reasons))})")
    join_tx = ""
    if comp.filter:
        node = typed_expr(ctx, ("components", k, "filter"), comp.filter, "bool")
        join_tx = f"JOIN {tx} t ON t.tx_no = v.tx_no\n"
        where.append(bool_filter(compiler(ctx, "t"), node))
    if isinstance(comp, Spiff) and comp.window:
        where.append(f"v.credit_on >= {d.date_lit(comp.window.from_)}")
        if comp.window.to:
            where.append(f"v.credit_on < {d.date_lit(comp.window.to)}")
    on = (
        "v.pp = pt.pp"
        if acc == "per_transaction"
        else f"{ctx.scope_of('v.pp', acc)} = {sidx} AND v.pp <= pt.pp"
    )
    return ctx.add_view(
        f"c{k}_base",
        (
            f"SELECT v.credit_id, v.transaction_id, v.payee_id, v.credit_reason, v.credit_on, "
            "v.cancel_pp, v.claw_factor, v.credit_percent, v.tx_no, v.credit_key, pt.pp, "
            f"{effective_value(ctx, 'v', 'pt.pp')}"
            f" AS v_at\nFROM {mv} v JOIN {pts} pt ON {on}\n{join_tx}WHERE " + " AND ".join(where)
        ),
    )
