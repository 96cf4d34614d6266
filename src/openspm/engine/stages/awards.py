"""Reward, part two: SPIFFs, period bonuses and MBOs.

A SPIFF pays per qualifying credit; a bonus pays a target times a payout curve of attainment;
an MBO pays a target times the weighted scores of the period's objectives. Fixed amounts are
prorated by the payee's active days. Lines follow the same columns as commissions.
"""

from __future__ import annotations

from decimal import Decimal

from openspm.engine.compile.context import Ctx
from openspm.engine.compile.dialect import S_LINE, S_PLAN, S_RATIO, S_SHARE, S_VALUE
from openspm.engine.plan.schema import Bonus, Mbo, Spiff
from openspm.engine.stages.lines import add_lines, line_key
from openspm.engine.stages.measure import scope_cols
from openspm.engine.stages.reward import (
    HEAD_CONSTANTS,
    acc_for_points,
    after_clawback,
    credit_base,
    credit_line_tail,
    gate_sql,
    head_columns,
    head_select,
)

#: the order keys of a line that is no credit's (`openspm.engine.stages.lines`)
_NO_KEYS = "NULL AS tx_no, NULL AS credit_key, NULL AS tier_key"


def spiff(ctx: Ctx, k: int, comp: Spiff, credits: str, mv: str, mp: str, tx: str, pts: str) -> str:
    """A fixed amount per qualifying credit (times its credit share), or a rate of a measure."""
    d = ctx.dialect
    source = mv if comp.measure else f"(SELECT c.*, c.amount AS value FROM {credits} c)"
    base = credit_base(ctx, comp, k, comp.measure, "per_transaction", source, tx, pts)
    if comp.amount is not None:
        earning = d.at(d.mul(d.dec_lit(comp.amount), "x.credit_percent"), S_LINE)
        rate = "NULL"
    else:
        assert comp.rate is not None
        earning = d.at(d.mul("x.v_at", d.at(d.dec_lit(comp.rate), S_PLAN)), S_LINE)
        rate = d.at(d.dec_lit(comp.rate), S_RATIO)
    gate_join, gate_ok = ("", "TRUE")
    if comp.gate:
        default = comp.measure or next(iter(ctx.plan.measures))
        gate_join, gate_ok = gate_sql(ctx, comp, comp.gate, mp, "per_transaction", default, True)
    amount = after_clawback(ctx, f"CASE WHEN {gate_ok} THEN {earning} ELSE {d.zero(S_LINE)} END")
    columns = {
        "line_key": line_key(ctx, d.str_lit(comp.id), "'|'", "x.credit_id"),
        **head_columns(ctx, comp, "spiff", "per_transaction"),
        "credit_id": "x.credit_id",
        "transaction_id": "x.transaction_id",
        "credit_reason": "x.credit_reason",
        "measure_id": d.str_lit(comp.measure or ""),
        "measure_value": "x.v_at",
        **dict.fromkeys(["basis_to_date", "quota_amount", "attainment", "tier"], "NULL"),
        "rate": rate,
        "multiplier": "NULL",
        "objective_id": "NULL",
        **credit_line_tail(comp, amount, "NULL"),
    }
    constant = HEAD_CONSTANTS | {
        "measure_id",
        "basis_to_date",
        "quota_amount",
        "attainment",
        "tier",
        "rate",
        "multiplier",
        "objective_id",
        "is_held",
        "tier_key",
    }
    return add_lines(ctx, f"c{k}", columns, constant, f"FROM {base} x\n{gate_join}")


def _prorate(ctx: Ctx, active: str, pts: str, acc: str) -> str:
    """Active and total days of each payee over each point's scope window to date."""
    s1, _, _ = scope_cols(acc, "p1")
    s2, _, _ = scope_cols(acc, "p2")
    return (
        f"(SELECT a.payee_id, p2.pp, SUM(a.active_days) AS active_days, "
        f"SUM(a.period_days) AS period_days FROM {active} a JOIN {pts} p1 ON p1.pp = a.pp "
        f"JOIN {pts} p2 ON {s1} = {s2} AND p1.pp <= p2.pp GROUP BY a.payee_id, p2.pp)"
    )


def _target(ctx: Ctx, amount: Decimal | None, fraction: Decimal | None) -> str:
    d = ctx.dialect
    if amount is not None:
        return d.dec_lit(amount)
    assert fraction is not None
    return d.mul("pe.target_incentive_amount", d.dec_lit(fraction))


def bonus(ctx: Ctx, k: int, comp: Bonus, mp: str, active: str, pts: str) -> str:
    """Target bonus × payout curve of attainment, valued at each point of the scope."""
    d = ctx.dialect
    acc = acc_for_points(comp.accumulate)
    op = ">=" if comp.bounds == "lower_inclusive" else ">"
    pts_sorted = list(comp.curve.points)

    def at(a: Decimal) -> str:
        return d.mul(d.dec_lit(a), "x.quota_amount")

    whens = []
    for j in range(len(pts_sorted) - 1, -1, -1):
        pnt = pts_sorted[j]
        if comp.curve.interpolation == "stepped" or j == len(pts_sorted) - 1:
            value = d.at(d.dec_lit(pnt.factor), S_RATIO)
        else:
            nxt = pts_sorted[j + 1]
            value = d.at(
                f"{d.dec_lit(pnt.factor)} + "
                + d.div(
                    d.mul(
                        f"x.to_date_value - {at(pnt.attainment)}",
                        d.dec_lit(nxt.factor - pnt.factor),
                    ),
                    d.mul(d.dec_lit(nxt.attainment - pnt.attainment), "x.quota_amount"),
                ),
                S_RATIO,
            )
        whens.append(f"WHEN x.to_date_value {op} {at(pnt.attainment)} THEN {value}")
    factor = f"CASE {' '.join(whens)} ELSE {d.zero(S_RATIO)} END"
    gate_join, gate_ok = ("", "TRUE")
    if comp.gate:
        gate_join, gate_ok = gate_sql(
            ctx, comp, comp.gate, mp, acc, comp.measure, comp.bounds == "lower_inclusive"
        )
    target = _target(ctx, comp.target_amount, comp.target_ti_fraction)
    earned = d.at(
        d.div(d.mul(d.mul(target, "x.factor"), "pr.active_days"), "pr.period_days"), S_LINE
    )
    key = line_key(ctx, d.str_lit(comp.id), "'|'", "x.payee_id")
    return ctx.add(
        f"c{k}",
        (
            f"SELECT {key} AS line_key, {head_select(ctx, comp, 'bonus', acc)}, NULL AS credit_id, "
            "NULL AS "
            f"transaction_id, NULL AS credit_reason, {d.str_lit(comp.measure)} AS measure_id, "
            "x.to_date_value AS measure_value, x.to_date_value AS basis_to_date, x.quota_amount, "
            "x.attainment, NULL AS tier, x.factor AS rate, "
            f"{d.div('pr.active_days', 'pr.period_days')} "
            "AS multiplier, NULL AS "
            f"objective_id, NULL AS cancel_pp, NULL AS claw_factor, "
            f"{'TRUE' if comp.hold else 'FALSE'} AS is_held, CASE WHEN {gate_ok} THEN {earned} "
            f"ELSE {d.zero(S_LINE)} END AS to_date_amount, {_NO_KEYS}\n"
            f"FROM (SELECT m.*, {factor.replace('x.', 'm.')} AS factor FROM {mp} m WHERE "
            f"m.measure_id = {d.str_lit(comp.measure)} AND m.accumulate = {d.str_lit(acc)} AND "
            f"m.quota_amount > 0) x\n"
            f"JOIN {_prorate(ctx, active, pts, acc)} pr ON pr.payee_id = x.payee_id AND pr.pp "
            "= x.pp\n"
            f"LEFT JOIN in_payees pe ON pe.payee_id = x.payee_id\n{gate_join}"
            "WHERE pr.active_days > 0"
        ),
    )


def mbo(ctx: Ctx, k: int, comp: Mbo, mp: str, active: str, pts: str) -> str:
    """Target × Σ weight × score (capped at ``max_score``) for the pay period's objectives."""
    d = ctx.dialect
    score = (
        "x.score"
        if comp.max_score is None
        else f"LEAST(x.score, {d.at(d.dec_lit(comp.max_score), S_SHARE)})"
    )
    target = _target(ctx, comp.target_amount, comp.target_ti_fraction)
    fraction = d.div("a.active_days", "a.period_days")
    earned = d.at(
        d.div(d.mul(d.mul(d.mul(target, "x.weight"), score), "a.active_days"), "a.period_days"),
        S_LINE,
    )
    gate_join, gate_ok = ("", "TRUE")
    if comp.gate:
        default = next(iter(ctx.plan.measures))
        gate_join, gate_ok = gate_sql(ctx, comp, comp.gate, mp, "period_to_date", default, True)
    key = line_key(ctx, d.str_lit(comp.id), "'|'", "x.payee_id", "'|'", "x.objective_id")
    return ctx.add(
        f"c{k}",
        (
            f"SELECT {key} AS line_key, {head_select(ctx, comp, 'mbo', 'period_to_date')}, NULL AS "
            "credit_id, NULL AS transaction_id, NULL AS credit_reason, NULL AS measure_id, "
            f"{d.at(score, S_VALUE)} AS measure_value, NULL AS basis_to_date, NULL AS "
            "quota_amount, NULL AS "
            f"attainment, NULL AS tier, {d.at('x.weight', S_RATIO)} AS rate, {fraction} AS "
            "multiplier, x.objective_id, "
            f"NULL AS cancel_pp, NULL AS claw_factor, {'TRUE' if comp.hold else 'FALSE'} AS "
            "is_held,"
            f" CASE WHEN {gate_ok} THEN {earned} ELSE {d.zero(S_LINE)} END AS to_date_amount, "
            # the objective's rank tells a payee's MBO lines of a period apart in the order
            "NULL AS tx_no, DENSE_RANK() OVER (ORDER BY x.objective_id) AS credit_key, "
            "NULL AS tier_key\n"
            f"FROM (SELECT s.*, pt.pp FROM in_mbo_scores s JOIN {pts} pt ON s.period_id IN "
            f"(pt.period_id, pt.period_key)) x\nJOIN {active} a ON a.payee_id = x.payee_id "
            "AND a.pp = x.pp\n"
            f"LEFT JOIN in_payees pe ON pe.payee_id = x.payee_id\n{gate_join}"
            "WHERE a.active_days > 0"
        ),
    )
