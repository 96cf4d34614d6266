"""``calc diff``: per payee, what changed between two runs and which cause explains it.

Payout totals are compared per payee and period; earning lines are matched on their identity
(plan, period, component, credit, tier) and each change is attributed to a deal (added or
removed), a rate, a tier, FX, the hierarchy (roll-up credit) or a clawback.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from openspm.engine.explain import fmt, num, read_rows

Key = tuple[str, str, str, str, str, str]


def _key(r: dict[str, str]) -> Key:
    return (
        r["plan_id"],
        r["period_id"],
        r["component_id"],
        r["credit_id"],
        r["tier"],
        r["line_type"] if r["line_type"] in ("cap", "clawback") else "",
    )


def _cause(
    a: dict[str, str] | None, b: dict[str, str] | None, fx_a: dict[str, str], fx_b: dict[str, str]
) -> str:
    row = b or a
    assert row is not None
    tx = row["transaction_id"]
    if row["line_type"] == "clawback":
        return f"clawback of {tx}"
    if row["credit_reason"] == "rollup" and (a is None or b is None):
        return f"hierarchy: roll-up credit on {tx} {'added' if b else 'removed'}"
    if a is None:
        return f"deal {tx} added" if tx else f"{row['component_id']} line added"
    if b is None:
        return f"deal {tx} removed" if tx else f"{row['component_id']} line removed"
    if tx and fx_a.get(tx) != fx_b.get(tx):
        return f"fx on {tx}: {fx_a.get(tx)} → {fx_b.get(tx)}"
    if a["rate"] != b["rate"]:
        return f"rate on {tx or row['component_id']}: {a['rate']} → {b['rate']}"
    if a["tier"] != b["tier"]:
        return f"tier on {tx}: {a['tier']} → {b['tier']}"
    if a["measure_value"] != b["measure_value"]:
        return f"deal {tx} amount: {a['measure_value']} → {b['measure_value']}"
    if a["multiplier"] != b["multiplier"] or a["attainment"] != b["attainment"]:
        return f"attainment/multiplier on {tx or row['component_id']}"
    return f"amount on {tx or row['component_id']}"


def diff_runs(out_a: Path, out_b: Path) -> str:
    """A report of the differences between two run output folders."""
    pay_a, pay_b = read_rows(out_a, "payouts"), read_rows(out_b, "payouts")
    totals: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for i, rows in enumerate((pay_a, pay_b)):
        for r in rows:
            totals[(r["payee_id"], r["period_id"])][i] += num(r["amount"])
    earn_a = {(_key(r), r["payee_id"]): r for r in read_rows(out_a, "earnings")}
    earn_b = {(_key(r), r["payee_id"]): r for r in read_rows(out_b, "earnings")}
    fx_a = {r["transaction_id"]: r["fx_rate"] for r in read_rows(out_a, "credits")}
    fx_b = {r["transaction_id"]: r["fx_rate"] for r in read_rows(out_b, "credits")}
    causes: dict[str, list[str]] = defaultdict(list)
    for key in sorted(set(earn_a) | set(earn_b)):
        a, b = earn_a.get(key), earn_b.get(key)
        delta = (num(b["amount"]) if b else Decimal(0)) - (num(a["amount"]) if a else Decimal(0))
        if delta:
            causes[key[1]].append(
                f"    {'+' if delta > 0 else ''}{fmt(delta)}: "
                f"{_cause(a, b, fx_a, fx_b)} [{key[0][2]}]"
            )
    for i, (ra, rb) in enumerate(_payout_pairs(pay_a, pay_b)):
        del i
        if ra and rb and ra["fx_rate"] != rb["fx_rate"] and ra["line_type"] == "earning":
            causes[rb["payee_id"]].append(
                f"    fx to {rb['currency']}: {ra['fx_rate']} → {rb['fx_rate']}"
            )
        elif (
            rb
            and (ra is None or ra["amount"] != rb["amount"])
            and rb["line_type"] in ("draw", "recovery", "true_up")
        ):
            causes[rb["payee_id"]].append(f"    {rb['line_type']} now {fmt(num(rb['amount']))}")
    out = []
    for (payee, period), (ta, tb) in sorted(totals.items()):
        if ta == tb and not causes.get(payee):
            continue
        out.append(
            f"{payee} {period}: {fmt(ta)} → {fmt(tb)} ({'+' if tb >= ta else ''}{fmt(tb - ta)})"
        )
        out.extend(causes.pop(payee, []))
    return ("\n".join(out) + "\n") if out else "no differences\n"


def _payout_pairs(
    pay_a: list[dict[str, str]], pay_b: list[dict[str, str]]
) -> list[tuple[dict[str, str] | None, dict[str, str] | None]]:
    def k(r: dict[str, str]) -> tuple[str, ...]:
        return (r["plan_id"], r["payee_id"], r["period_id"], r["component_id"], r["line_type"])

    ia, ib = {k(r): r for r in pay_a}, {k(r): r for r in pay_b}
    return [(ia.get(x), ib.get(x)) for x in sorted(set(ia) | set(ib))]
