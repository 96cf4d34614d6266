"""Semantic checks of a plan that Pydantic's field types cannot express.

``check_plan`` returns every problem as ``(path, message)``; the loader adds file and line.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from openspm.engine import expr
from openspm.engine.plan.schema import (
    Bonus,
    Commission,
    Component,
    Mbo,
    OverlayRule,
    Plan,
    RollupRule,
    Spiff,
    TerritoryRule,
    Tier,
)
from openspm.engine.plan.source import Path

Problem = tuple[Path, str]
_SCOPE_MONTHS = {
    "per_transaction": 0,
    "period_to_date": 0,
    "quarter_to_date": 3,
    "year_to_date": 12,
}
_FREQ_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def check_plan(plan: Plan) -> list[Problem]:
    """Every semantic problem of ``plan``."""
    problems = list(_expressions(plan))
    problems += list(_places(plan.model_dump(by_alias=True), ()))
    if plan.effective_from and plan.effective_to and plan.effective_to <= plan.effective_from:
        problems.append((("effective_to",), "must be after effective_from"))
    seen: set[str] = set()
    for i, comp in enumerate(plan.components):
        base: Path = ("components", i)
        if comp.id in seen:
            problems.append(((*base, "id"), f"component id {comp.id!r} is used twice"))
        seen.add(comp.id)
        problems.extend(_component(plan, comp, base))
    for i, rule in enumerate(plan.crediting):
        if isinstance(rule, RollupRule) and i == 0:
            problems.append((("crediting", i), "a rollup rule needs an earlier rule to roll up"))
        if isinstance(rule, OverlayRule) and rule.percent <= 0:
            problems.append((("crediting", i, "percent"), "must be > 0"))
        if isinstance(rule, TerritoryRule) and rule.roles == []:
            problems.append((("crediting", i, "roles"), "must not be empty"))
    if plan.ramp:
        for j, share in enumerate(plan.ramp.schedule):
            if not 0 <= share <= 1:
                problems.append((("ramp", "schedule", j), "must be between 0 and 1"))
    if plan.pay.draw and not 0 <= plan.pay.draw.recovery_limit <= 1:
        problems.append((("pay", "draw", "recovery_limit"), "must be between 0 and 1"))
    if plan.pay.draw and plan.pay.draw.amount < 0:
        problems.append((("pay", "draw", "amount"), "must be >= 0"))
    if plan.kind == "referral":
        problems.extend(_referral(plan))
    return problems


def _referral(plan: Plan) -> list[Problem]:
    """A referral plan pays referrers per referral: each reward depends on its own referral
    only. So no roll-ups, overlays or territories (a referrer has no place in the hierarchy
    or the territories), nothing based on quota or attainment (bonus, MBO, gates and
    multipliers on attainment, attainment tiers, ramps, target-incentive caps), no
    accumulation across referrals, and no draw, hold or clawback (the program's holding
    period and review do that)."""
    out: list[Problem] = []
    why = "a referral plan pays per referral"
    for i, rule in enumerate(plan.crediting):
        if isinstance(rule, OverlayRule | TerritoryRule | RollupRule):
            out.append((("crediting", i, "kind"), f"{why}: use owner or split crediting"))
    if plan.ramp is not None:
        out.append((("ramp",), f"{why}: it has no quota to ramp"))
    for i, comp in enumerate(plan.components):
        base: Path = ("components", i)
        if isinstance(comp, Bonus | Mbo):
            out.append(((*base, "kind"), f"{why}: use commission or spiff components"))
            continue
        if comp.gate and comp.gate.min_attainment is not None:
            out.append(((*base, "gate", "min_attainment"), f"{why}: it has no quota"))
        if comp.cap and comp.cap.ti_multiple is not None:
            out.append(((*base, "cap", "ti_multiple"), f"{why}: it has no target incentive"))
        if comp.cap and comp.cap.scope == "plan_year":
            out.append(((*base, "cap", "scope"), f"{why}: cap a transaction or a period"))
        if isinstance(comp, Commission):
            if comp.accumulate != "per_transaction":
                out.append(((*base, "accumulate"), f"{why}: use accumulate per_transaction"))
            if comp.tier_basis == "attainment":
                out.append(((*base, "tier_basis"), f"{why}: it has no quota"))
            for j, mult in enumerate(comp.multipliers):
                if mult.min_attainment is not None:
                    out.append(
                        ((*base, "multipliers", j, "min_attainment"), f"{why}: it has no quota")
                    )
    for key, value in (
        ("draw", plan.pay.draw),
        ("hold", plan.pay.hold),
        ("clawback", plan.pay.clawback),
    ):
        if value is not None:
            out.append((("pay", key), f"{why}: the program's holding period and review apply"))
    return out


#: Decimal places a plan number may have (the engine's fixed-point budget, see dialect.py).
MAX_PLACES = 6


def _places(node: object, path: Path) -> Iterator[Problem]:
    if isinstance(node, Decimal):
        exponent = node.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > MAX_PLACES:
            yield path, f"at most {MAX_PLACES} decimal places"
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _places(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _places(value, (*path, i))


def _expressions(plan: Plan) -> Iterator[Problem]:
    texts: list[tuple[Path, str | None]] = []
    texts += [(("classify", name), text) for name, text in plan.classify.items()]
    texts += [(("crediting", i, "filter"), r.filter) for i, r in enumerate(plan.crediting)]
    for name, m in plan.measures.items():
        texts += [(("measures", name, "value"), m.value), (("measures", name, "filter"), m.filter)]
    texts += [(("components", i, "filter"), c.filter) for i, c in enumerate(plan.components)]
    for path, text in texts:
        if text is None:
            continue
        try:
            expr.parse(text)
        except expr.ExprError as exc:
            yield path, str(exc)


def _one_of(base: Path, names: tuple[str, str], values: tuple[object, object]) -> list[Problem]:
    given = [n for n, v in zip(names, values, strict=True) if v is not None]
    if len(given) != 1:
        return [(base, f"give exactly one of {names[0]!r} or {names[1]!r}")]
    return []


def _measure_ref(plan: Plan, path: Path, name: str | None) -> list[Problem]:
    if name is not None and name not in plan.measures:
        return [(path, f"unknown measure {name!r} (defined: {', '.join(sorted(plan.measures))})")]
    return []


def _component(plan: Plan, comp: Component, base: Path) -> list[Problem]:
    out: list[Problem] = []
    if comp.gate:
        out += _one_of(
            (*base, "gate"),
            ("min_attainment", "min_value"),
            (comp.gate.min_attainment, comp.gate.min_value),
        )
        out += _measure_ref(plan, (*base, "gate", "measure"), comp.gate.measure)
    if comp.cap:
        out += _one_of(
            (*base, "cap"), ("amount", "ti_multiple"), (comp.cap.amount, comp.cap.ti_multiple)
        )
    if isinstance(comp, Commission):
        out += _measure_ref(plan, (*base, "measure"), comp.measure)
        out += _one_of(base, ("rate", "tiers"), (comp.rate, comp.tiers))
        if comp.tiers is not None:
            out += _tiers(comp.tiers, comp.tiering, (*base, "tiers"))
        if comp.tier_basis == "transaction_amount" and comp.accumulate != "per_transaction":
            out.append(
                (
                    (*base, "accumulate"),
                    "tier_basis transaction_amount needs accumulate per_transaction",
                )
            )
        out += _scope(plan, comp.accumulate, (*base, "accumulate"))
        for j, mult in enumerate(comp.multipliers):
            out += _one_of(
                (*base, "multipliers", j),
                ("min_attainment", "min_value"),
                (mult.min_attainment, mult.min_value),
            )
            out += _measure_ref(plan, (*base, "multipliers", j, "measure"), mult.measure)
        if comp.cap and comp.cap.scope == "transaction" and comp.accumulate != "per_transaction":
            out.append(
                ((*base, "cap", "scope"), "a transaction cap needs accumulate per_transaction")
            )
    elif isinstance(comp, Spiff):
        out += _one_of(base, ("amount", "rate"), (comp.amount, comp.rate))
        if comp.rate is not None and comp.measure is None:
            out.append(((*base, "measure"), "a spiff with a rate needs a measure"))
        out += _measure_ref(plan, (*base, "measure"), comp.measure)
        if comp.window and comp.window.to and comp.window.to <= comp.window.from_:
            out.append(((*base, "window", "to"), "must be after from"))
    elif isinstance(comp, Bonus):
        out += _measure_ref(plan, (*base, "measure"), comp.measure)
        out += _one_of(
            base,
            ("target_amount", "target_ti_fraction"),
            (comp.target_amount, comp.target_ti_fraction),
        )
        out += _scope(plan, comp.accumulate, (*base, "accumulate"))
        points = comp.curve.points
        for j in range(1, len(points)):
            if points[j].attainment <= points[j - 1].attainment:
                out.append(
                    (
                        (*base, "curve", "points", j, "attainment"),
                        "curve points must have increasing attainment",
                    )
                )
    elif isinstance(comp, Mbo):
        out += _one_of(
            base,
            ("target_amount", "target_ti_fraction"),
            (comp.target_amount, comp.target_ti_fraction),
        )
    return out


def _scope(plan: Plan, accumulate: str, path: Path) -> list[Problem]:
    months = _SCOPE_MONTHS[accumulate]
    freq = _FREQ_MONTHS[plan.pay.frequency]
    if months and months < freq:
        return [
            (
                path,
                f"{accumulate} cannot be paid per {plan.pay.frequency}: "
                "the accumulation scope must not be shorter than the pay period",
            )
        ]
    return []


def _tiers(tiers: list[Tier], tiering: str, base: Path) -> list[Problem]:
    out: list[Problem] = []
    if not tiers:
        return [(base, "give at least one tier")]
    if tiers[0].from_ != 0:
        out.append(((*base, 0, "from"), "the first tier must start at 0"))
    for j, tier in enumerate(tiers):
        path = (*base, j)
        if tier.to is not None and tier.to <= tier.from_:
            out.append(((*path, "to"), "must be greater than from"))
        if j + 1 < len(tiers):
            if tier.to is None:
                out.append(((*path, "to"), "only the last tier may be open-ended"))
            elif tiers[j + 1].from_ != tier.to:
                out.append(
                    ((*base, j + 1, "from"), f"tiers must be contiguous: expected from {tier.to}")
                )
        if tiering == "interpolated":
            if tier.amount is None or tier.rate is not None:
                out.append((path, "an interpolated tier needs an amount (and no rate)"))
            if tier.to is None:
                out.append(((*path, "to"), "an interpolated tier needs a finite 'to'"))
        elif tier.rate is None or tier.amount is not None:
            out.append((path, f"a {tiering} tier needs a rate (and no amount)"))
    return out


def check_raw(data: dict[str, object]) -> list[Problem]:
    """Checks that still make sense when the document failed schema validation.

    Expression syntax and measure references are checked on the raw data so that one run of
    the validator reports them alongside the schema errors.
    """
    out: list[Problem] = []

    def expr_at(path: Path, text: object) -> None:
        if isinstance(text, str):
            try:
                expr.parse(text)
            except expr.ExprError as exc:
                out.append((path, str(exc)))

    classify = data.get("classify")
    if isinstance(classify, dict):
        for name, text in classify.items():
            expr_at(("classify", name), text)
    measures = data.get("measures")
    names: set[str] = set()
    if isinstance(measures, dict):
        names = set(measures)
        for name, m in measures.items():
            if isinstance(m, dict):
                expr_at(("measures", name, "value"), m.get("value"))
                expr_at(("measures", name, "filter"), m.get("filter"))
    for key in ("crediting", "components"):
        items = data.get(key)
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            expr_at((key, i, "filter"), item.get("filter"))
            ref = item.get("measure")
            if key == "components" and isinstance(ref, str) and names and ref not in names:
                out.append(
                    (
                        (key, i, "measure"),
                        f"unknown measure {ref!r} (defined: {', '.join(sorted(names))})",
                    )
                )
    return out
