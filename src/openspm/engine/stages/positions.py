"""Positions: where each credit sits in its scope's running total, for tier slicing.

Tier slicing needs, for every credit, the running total of its scope (payee × scope point)
before it, in the deterministic order ``(credit_on, transaction_id, credit_id)`` (on their
integer ranks ``tx_no`` and ``credit_key``, `openspm.engine.compile.order`). A window
over every credit is the expensive way (DuckDB evaluates a framed window with a segment tree,
and a VP's scope holds every credit under them). So the totals are pre-aggregated per day
first: a window over day rows gives each day's running total, and only a day of several
credits whose range crosses a tier bound, or which holds a negative value, needs the exact
window inside it. Every other credit lies inside one tier with the whole of its day (or is
its day's only credit), so the day's opening total stands in for its own position: the slices
come out the same, and the position itself is never output.
"""

from __future__ import annotations

from collections.abc import Callable

from openspm.engine.compile.context import Ctx
from openspm.engine.compile.dialect import S_VALUE

_ORDER_IN_DAY = "b.tx_no, b.credit_key"


def positions(
    ctx: Ctx,
    k: int,
    base: str,
    quota_join: Callable[[str], str],
    bounds: Callable[[str], list[str]],
    *,
    exact: bool,
    edge_columns: bool = False,
) -> str:
    """A view of ``base``'s rows with ``cum_before``, ``total``, quota and attainment.

    ``quota_join(alias)`` joins the scope's measure row as ``q`` for the rows of ``alias``;
    ``bounds(quota)`` gives the tier bounds in value units for a quota column (SQL); ``exact``
    is False when no line depends on the position (retroactive tiers read the total only).
    With ``edge_columns`` every row also carries the bounds as ``edge_0``, ``edge_1``, …
    (computed once per day, not once per credit).
    """
    d = ctx.dialect
    zero = d.zero(S_VALUE)
    before = (
        "SUM(g.day_value) OVER (PARTITION BY g.payee_id, g.pp ORDER BY g.credit_on ROWS "
        "BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)"
    )
    lo, hi = "x.day_before", "(x.day_before + x.day_value)"
    crossing = "".join(f" OR ({lo} < {b} AND {b} < {hi})" for b in bounds("x.quota_amount"))
    # several credits in a day that holds a negative value or crosses a bound: exact window
    split = f"x.n > 1 AND (x.day_min < 0{crossing})" if exact else "FALSE"
    bounds_of_day = bounds("x.quota_amount") if edge_columns else []
    edges = "".join(f", {b} AS edge_{j}" for j, b in enumerate(bounds_of_day))
    days = ctx.add(
        f"c{k}_days",
        (
            f"SELECT x.*, CASE WHEN {split} THEN 1 ELSE 0 END AS split_day{edges} FROM (\n"
            f"SELECT g.payee_id, g.pp, g.credit_on, g.day_value, g.day_min, g.n, "
            f"COALESCE({before}, {zero}) AS day_before,\n"
            "  SUM(g.day_value) OVER (PARTITION BY g.payee_id, g.pp) AS total, "
            "q.quota_amount, q.attainment, q.to_date_value AS scope_to_date\nFROM (\n"
            "  SELECT b.payee_id, b.pp, b.credit_on, SUM(b.v_at) AS day_value, MIN(b.v_at) AS "
            f"day_min, COUNT(*) AS n\n  FROM {base} b GROUP BY b.payee_id, b.pp, b.credit_on\n"
            f") g\n{quota_join('g')}\n) x"
        ),
    )
    cols = "dd.total, dd.quota_amount, dd.attainment, dd.scope_to_date" + "".join(
        f", dd.edge_{j}" for j in range(len(bounds_of_day))
    )
    join = (
        f"FROM {base} b JOIN {days} dd ON dd.payee_id = b.payee_id AND dd.pp = b.pp AND "
        "dd.credit_on = b.credit_on"
    )
    whole_day = f"SELECT b.*, dd.day_before AS cum_before, {cols}\n{join}"
    if not exact:
        return ctx.add_view(f"c{k}_pos", whole_day)
    in_day = (
        "SUM(b.v_at) OVER (PARTITION BY b.payee_id, b.pp, b.credit_on ORDER BY "
        f"{_ORDER_IN_DAY} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)"
    )
    return ctx.add_view(
        f"c{k}_pos",
        (
            f"{whole_day}\nWHERE dd.split_day = 0\nUNION ALL\n"
            f"SELECT b.*, {d.at(f'dd.day_before + COALESCE({in_day}, {zero})', S_VALUE)} AS "
            f"cum_before, {cols}\n{join}\nWHERE dd.split_day = 1"
        ),
    )
