"""The order of the credits and earnings outputs, on a few integer keys.

Every output is sorted, so a run writes the same files whatever the order of its input rows.
Sorting 4 million earning lines on nine text columns cost more than writing them (at 1,000,000
transactions: 3.6 s of a 6 s write); three integer keys that pack the same information order
them in about 1 s. DuckDB sorts much faster with fewer keys and none of them text: a constant
``plan_id`` or an almost always empty ``objective_id`` among the keys doubled the time.

The keys give exactly the order of the text columns they stand for, so a run archived before
them still reproduces byte for byte: ``tx_no`` and ``payee_no`` rank the ids as they sort
(`stages.classify`, `stages.credit`), components and line types are ranked by their names and
tiers by their labels when the plan compiles, and ``credit_key`` orders a payee's credits of a
transaction as their ``credit_id`` text does (`stages.credit.credit_key`). Each key is a sum of
products of these ranks; the compiler checks the plan's counts, so a key stays inside a
``BIGINT`` for up to 2³¹ payees and 2³² transactions in a run.
"""

from __future__ import annotations

from openspm.engine.compile.context import Ctx
from openspm.engine.errors import PlanError
from openspm.engine.plan.schema import Commission

#: every line type an earning line can have, ranked as text
_LINE_TYPES = sorted(["bonus", "cap", "clawback", "commission", "mbo", "spiff"])
_TX_SPAN = 2**32


def order_keys(plans: int) -> list[str]:
    """The sort keys of the credits and earnings of a run of ``plans`` plans: the plan's key
    only when there are several (even a constant key costs)."""
    keys = ["ord_1", "ord_2", "ord_3"]
    return ["ord_0", *keys] if plans > 1 else keys


def credit_keys(ctx: Ctx, plan_no: int, alias: str, payee_no: str) -> str:
    """Plan, (period, transaction), payee and credit of a credit: its order among the
    credits. ``plan_no`` is the plan's rank among the run's plans by id."""
    return (
        f"{plan_no} AS ord_0, ({alias}.pp - {ctx.cal.context_first}) * {_TX_SPAN} + "
        f"{alias}.tx_no AS ord_1, {payee_no} AS ord_2, {alias}.credit_key AS ord_3"
    )


def earning_keys(ctx: Ctx, plan_no: int, alias: str, payee_no: str) -> str:
    """Plan, (payee, period, component), transaction, (credit, tier, line type) of an
    earning line; period lines (no transaction) first. An MBO line's ``credit_key`` is its
    objective's rank."""
    plan = ctx.plan
    periods, comps = len(ctx.cal.periods), len(plan.components)
    tiers = 1 + max(
        (len(c.tiers) for c in plan.components if isinstance(c, Commission) and c.tiers),
        default=1,
    )
    rules, kinds = len(plan.crediting), len(_LINE_TYPES)
    if periods * comps >= 2**31 or rules * rules * tiers * kinds >= 2**31:
        raise PlanError(
            f"{ctx.loaded.file}: too many crediting rules, components or tiers to order",
            [ctx.loaded.issue(("components",), "split the plan")],
        )
    by_id = sorted(c.id for c in plan.components)
    comp = " ".join(
        f"WHEN {ctx.dialect.str_lit(c)} THEN {by_id.index(c)}" for c in dict.fromkeys(by_id)
    )
    kind = " ".join(f"WHEN '{k}' THEN {n}" for n, k in enumerate(_LINE_TYPES))
    period = f"{alias}.pp - {ctx.cal.context_first}"
    # a credit's key ends with the rule of its source's credit (`stages.credit.credit_key`),
    # which comes last here: two roll-up credits of one source and transaction share their
    # ``credit_id``, and their lines sort by tier and line type before the source's rule
    credit = f"COALESCE({alias}.credit_key, 0)"
    tier = f"COALESCE({alias}.tier_key, 0)"
    line = (
        f"({ctx.dialect.int_div(credit, str(rules))} * {tiers} + {tier}) * {kinds} + "
        f"CASE {alias}.kind {kind} END"
    )
    return (
        f"{plan_no} AS ord_0, ({payee_no} * {periods} + {period}) * {comps} + "
        f"CASE {alias}.component_id {comp} END AS ord_1, {alias}.tx_no AS ord_2, "
        f"({line}) * {rules} + {credit} % {rules} AS ord_3"
    )
