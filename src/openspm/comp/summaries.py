"""Earning summaries: a run's deal-level earning lines, summed per payee, component and tier.

The engine writes one earning line per credited tier slice of every deal (99 % of a run's
lines: 4.1 million at 1,000,000 transactions). The database keeps one line per payee, plan,
period, component, line type, credit reason, tier, rate and multiplier instead (about 55,000),
with `line_count`, the number of deal lines it sums; the deal lines stay in the run's archive
at full precision, as credits do, and a statement line's drill-down reads its own from there
(`comp.selectors.trace`). Period lines (bonuses, MBOs, period caps) have no deal and are kept
as the engine gives them.

Amounts are summed exactly (DECIMAL in DuckDB); `comp.services.results` then rounds the sums
half-even to the places the lines keep, once.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

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
#: Summed money: wide enough for any total of amounts the engine keeps to 18 places (the
#: engine's DECIMAL(38, 28) sum overflows past 10 billion). The lines keep 4 places.
SUM_TYPE = "DECIMAL(38, 18)"


def summarise_earnings(earnings: pa.Table) -> pa.Table:
    """`earnings` with its deal lines (those with a transaction) replaced by their summaries.

    The result has the engine's earning columns plus `line_count` (0 on period lines, which
    pass through unchanged). A summary's deal columns (credit, transaction, objective, earned
    to date and before) and its `measure_value` are empty; its `amount` is the sum of its
    lines', its `basis_to_date` and `attainment` the highest its lines reached.
    """
    keys = ", ".join(SUMMARY_KEYS)
    columns = earnings.column_names
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
        for name in columns
    )
    passed = ", ".join(
        f"CAST({name} AS {SUM_TYPE}) AS {name}" if name in ("measure_value", "amount") else name
        for name in columns
    )
    with duckdb.connect() as con:
        con.register("earnings", earnings)
        # Period lines first, then summaries, each in a stable order: the lines' ids follow it.
        return con.sql(
            f"SELECT {passed}, 0::BIGINT AS line_count FROM earnings "
            f"WHERE transaction_id IS NULL "
            f"UNION ALL "
            f"SELECT * FROM (SELECT {select}, COUNT(*)::BIGINT AS line_count FROM earnings "
            f"WHERE transaction_id IS NOT NULL GROUP BY payee_id, {keys}) "
            f"ORDER BY payee_id, plan_id, period_id, component_id, line_count, line_type, "
            f"TRY_CAST(tier AS INTEGER), credit_reason, rate, multiplier, currency, objective_id"
        ).to_arrow_table()


def _sql_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_decimal(arrow_type):
        return f"DECIMAL({arrow_type.precision}, {arrow_type.scale})"
    return "VARCHAR"


def read_deal_lines(
    line: EarningLine, *, payee_external_id: str, limit: int | None = None
) -> tuple[list[dict[str, Any]], int] | None:
    """The archived deal lines `line` sums (by deal; the first `limit`, and how many in all);
    None when the run has no archive. The keys are matched as `comp.services.results` wrote
    them: empty text as null, a missing plan version as 1, a missing period as the line's,
    rates and multipliers at the 10 places the line keeps."""
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
        "TRY_CAST(tier AS BIGINT) IS NOT DISTINCT FROM ?",
        "ROUND(rate, 10) IS NOT DISTINCT FROM CAST(? AS DECIMAL(38, 10))",
        "ROUND(multiplier, 10) IS NOT DISTINCT FROM CAST(? AS DECIMAL(38, 10))",
        "currency = ?",
    ]
    params: list[object] = [
        payee_external_id,
        line.plan_code,
        line.plan_version,
        line.period_key,
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
