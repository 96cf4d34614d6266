"""Earning summaries: a run's deal-level earning lines, summed per payee, component and tier.

The engine writes one earning line per credited tier slice of every deal (99 % of a run's
lines: 4.1 million at 1,000,000 transactions). The database keeps one line per payee and
`SUMMARY_KEYS` instead (93,523 at 1,000,000 transactions), with `line_count`, the number of
deal lines it sums; the deal lines stay in the run's archive at full precision, as credits
do, and a statement line's drill-down reads its own from there (`comp.selectors.trace`).
Period lines (bonuses, MBOs, period caps) have no deal and are kept as the engine gives them.

`comp.services.results` rounds the sums half-even to the 4 places the lines keep.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from openspm.comp import archive

if TYPE_CHECKING:
    from openspm.comp.models import EarningLine

#: The columns that name a summary line (beside its payee): the deal lines that share them
#: are one line. `tier`, `rate` and `multiplier` say how the slice was paid; `credit_reason`
#: keeps a payee's own deals apart from their roll-up and overlay credits.
SUMMARY_KEYS = (
    "plan_id",
    "plan_version",
    "period_id",
    "component_id",
    "component_kind",
    "line_type",
    "credit_reason",
    "measure_id",
    "tier",
    "rate",
    "multiplier",
    "currency",
)
#: Summed money: amounts are cast to 18 places before they are summed, wide enough for any
#: total (the engine's DECIMAL(38, 28) sum overflows past 10 billion); the lines keep 4.
SUM_TYPE = "DECIMAL(38, 18)"


def earning_lines(earnings: pa.Table) -> list[pa.Table]:
    """The earning lines the database keeps, from the engine's `earnings`: its period lines
    (those without a transaction) as they are, then its deal lines' summaries. Both have the
    engine's earning columns plus `line_count` (0 on period lines).

    A summary's deal columns (credit, transaction, objective, earned to date and before) and
    its `measure_value` are empty; its `amount` is the sum of its lines' (each cast to 18
    places, half away from zero, then summed exactly: a display copy, the archive keeps the
    engine's values), its `basis_to_date` and `attainment` the highest its lines reached.
    """
    is_period = pc.is_null(earnings.column("transaction_id"))
    period = earnings.filter(is_period)
    period = period.append_column("line_count", pa.array([0] * period.num_rows, pa.int64()))
    return [period, _deal_summaries(earnings)]


def _deal_summaries(earnings: pa.Table) -> pa.Table:
    keys = ", ".join(SUMMARY_KEYS)
    summed = {
        # A deal line's measure value is its whole deal's, on each of its tier slices: a sum
        # would count a deal that crosses a tier bound twice. Each deal's is in the drill-down.
        "measure_value": f"CAST(NULL AS {SUM_TYPE})",
        "amount": f"CAST(SUM(CAST(amount AS {SUM_TYPE})) AS {SUM_TYPE})",
        "basis_to_date": "MAX(basis_to_date)",
        "quota_amount": "MAX(quota_amount)",
        "attainment": "MAX(attainment)",
        "payee_id": "payee_id",
    }
    deal_only = ("credit_id", "transaction_id", "objective_id", "to_date_amount", "prior_amount")
    select = ", ".join(
        f"{summed[name]} AS {name}"
        if name in summed
        else f"CAST(NULL AS {_sql_type(earnings.schema.field(name).type)}) AS {name}"
        if name in deal_only
        else name
        for name in earnings.column_names
    )
    with duckdb.connect() as con:
        con.register("earnings", earnings)
        # In a stable order, which the lines' ids keep and statements show: a component's
        # numbered tiers by number (10 after 9), named ones by name (the outputs do not say
        # where a named tier sits), then every other key.
        return con.sql(
            f"SELECT {select}, COUNT(*)::BIGINT AS line_count FROM earnings "
            f"WHERE transaction_id IS NOT NULL GROUP BY payee_id, {keys} "
            f"ORDER BY payee_id, plan_id, plan_version, period_id, component_id, line_type, "
            f"credit_reason, TRY_CAST(tier AS BIGINT) NULLS LAST, {keys}"
        ).to_arrow_table()


def _sql_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_decimal(arrow_type):
        return f"DECIMAL({arrow_type.precision}, {arrow_type.scale})"
    return "VARCHAR"


def read_deal_lines(
    line: EarningLine,
    *,
    payee_external_id: str,
    run_period_key: str,
    limit: int | None = None,
) -> tuple[list[dict[str, Any]], int] | None:
    """The archived deal lines `line` sums (by deal; the first `limit`, and how many in all);
    None when the run has no archive. The keys are matched as `comp.services.results` wrote
    them: empty text as null, a missing plan version as 1, a missing period as the run's
    (`run_period_key`), rates and multipliers rounded half-even to the 10 places the line
    keeps."""
    where = [
        "transaction_id IS NOT NULL",
        "payee_id = ?",
        "plan_id = ?",
        "COALESCE(NULLIF(plan_version, 0), 1) = ?",
        "COALESCE(NULLIF(period_id, ''), ?) = ?",
        "component_id = ?",
        "component_kind = ?",
        "line_type = ?",
        "COALESCE(credit_reason, '') = ?",
        "COALESCE(measure_id, '') = ?",
        "COALESCE(tier, '') = ?",
        "ROUND_EVEN(rate, 10) IS NOT DISTINCT FROM CAST(? AS DECIMAL(38, 10))",
        "ROUND_EVEN(multiplier, 10) IS NOT DISTINCT FROM CAST(? AS DECIMAL(38, 10))",
        "currency = ?",
    ]
    params: list[object] = [
        payee_external_id,
        line.plan_code,
        line.plan_version,
        run_period_key,
        line.period_key,
        line.component_id,
        line.component_kind,
        line.line_type,
        line.credit_reason,
        line.measure_id,
        line.tier,
        None if line.rate is None else str(line.rate),
        None if line.multiplier is None else str(line.multiplier),
        line.currency,
    ]
    return archive.read_rows(
        line.run_id,
        "earnings",
        where=" AND ".join(where),
        params=params,
        order_by="transaction_id, credit_id",
        limit=limit,
    )


def deal_amounts(
    run_id: int, *, component_kinds: Sequence[str]
) -> list[tuple[str, str, str, Decimal]] | None:
    """(payee external id, deal, currency, amount) of a run's deal lines of `component_kinds`,
    summed per payee and deal exactly (not rounded); None when the run has no archive."""
    path = archive.output_path(run_id, "earnings")
    if path is None:
        return None
    with duckdb.connect() as con:
        rows = con.sql(
            f"SELECT payee_id, transaction_id, currency, "
            f"CAST(SUM(CAST(amount AS {SUM_TYPE})) AS {SUM_TYPE}) "
            f"FROM read_parquet(?) WHERE transaction_id IS NOT NULL "
            f"AND list_contains(?, component_kind) "
            f"GROUP BY ALL ORDER BY ALL",
            params=[str(path), list(component_kinds)],
        ).fetchall()
    return [(str(p), str(t), str(c), Decimal(a)) for p, t, c, a in rows]
