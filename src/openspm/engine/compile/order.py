"""The order of the credits and earnings outputs, on a few integer keys.

Every output is sorted, so a run writes the same files whatever the order of its input rows.
Sorting 4 million earning lines on nine text columns cost more than writing them (at 1,000,000
transactions: 3.6 s of a 6 s write); three integer keys that pack the same information order
them in about 1 s. DuckDB sorts much faster with fewer keys and none of them text: a constant
``plan_id`` or an almost always empty ``objective_id`` among the keys doubled the time.

The integers rank the ids as the ids sort (``tx_no`` in the classify stage, ``payee_no`` in
``payee_keys``), so the files still read by payee, period, component and transaction; a
credit's key is its rule and the rank of its source payee (``stages.credit.SOURCE_SPAN``).
Each key is a product of ranks and small counts known when the plan compiles, far inside a
``BIGINT`` for up to 2³¹ payees and transactions (an overflow would stop the run with an
error, never give a wrong order).
"""

from __future__ import annotations

from openspm.engine.compile.context import Ctx
from openspm.engine.plan.schema import Commission

#: line types that share a credit, a tier and a period with a component's own line
_LINE_CODES = {"cap": 1, "clawback": 2}

#: credits sort on (plan,) period and transaction, payee, credit
_TX_SPAN = 2**32


def order_keys(name: str, plans: int) -> list[str]:
    """The sort keys of output ``name`` (credits or earnings) of a run of ``plans`` plans:
    the plan's key only when there are several (even a constant key costs)."""
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
    comp = " ".join(
        f"WHEN {ctx.dialect.str_lit(c.id)} THEN {i}" for i, c in enumerate(plan.components)
    )
    code = " ".join(f"WHEN '{kind}' THEN {n}" for kind, n in _LINE_CODES.items())
    period = f"{alias}.pp - {ctx.cal.context_first}"
    credit = f"COALESCE({alias}.credit_key, 0)"
    tier = f"COALESCE({alias}.tier_index + 1, 0)"
    return (
        f"{plan_no} AS ord_0, ({payee_no} * {periods} + {period}) * {comps} + "
        f"CASE {alias}.component_id {comp} END AS ord_1, {alias}.tx_no AS ord_2, "
        f"({credit} * {tiers} + {tier}) * {len(_LINE_CODES) + 1} + "
        f"CASE {alias}.kind {code} ELSE 0 END AS ord_3"
    )
