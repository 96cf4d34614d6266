"""Generate benchmark inputs: N transactions for R payees in a four-level hierarchy, 3 currencies.

Everything is produced by DuckDB SQL with deterministic hashes, so the same (N, R, seed) always
gives the same files. Reps are the leaves; every 10 reps share a manager, every 10 managers a
director, and every 10 directors a VP (four levels).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

PLAN = """\
schema_version: 1
id: bench
currency: USD
crediting:
  - kind: owner
  - kind: rollup
measures:
  bookings: {value: amount}
components:
  - kind: commission
    id: commission
    measure: bookings
    tiering: marginal
    tier_basis: attainment
    accumulate: quarter_to_date
    credit_reasons: [owner, rollup]
    tiers:
      - {from: 0, to: 0.5, rate: 0.02}
      - {from: 0.5, to: 1.0, rate: 0.05}
      - {from: 1.0, to: 1.5, rate: 0.08}
      - {from: 1.5, rate: 0.12}
    cap: {scope: period, ti_multiple: 3}
  - kind: spiff
    id: security_spiff
    filter: "product_family == 'security'"
    window: {from: 2026-02-01, to: 2026-03-01}
    amount: 100
    credit_reasons: [owner]
pay:
  frequency: quarter
"""


def generate(folder: Path, n: int, reps: int, seed: int = 7) -> Path:
    """Write ``plan.yaml`` and Parquet inputs for ``n`` transactions and ``reps`` reps."""
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    (folder / "plan.yaml").write_text(PLAN, encoding="utf-8")
    con = duckdb.connect()
    try:
        con.execute(f"""
            CREATE TABLE people AS
            SELECT 'r' || i AS payee_id, 1 AS lvl, 'm' || (i // 10) AS manager_id
            FROM range({reps}) t(i)
            UNION ALL SELECT 'm' || i, 2, 'd' || (i // 10) FROM range(({reps} + 9) // 10) t(i)
            UNION ALL SELECT 'd' || i, 3, 'v' || (i // 10) FROM range(({reps} + 99) // 100) t(i)
            UNION ALL SELECT 'v' || i, 4, NULL FROM range(({reps} + 999) // 1000) t(i)
        """)
        con.execute(f"""
            COPY (SELECT payee_id, payee_id AS name,
                         CASE WHEN hash(payee_id, {seed}) % 10 < 7 THEN 'USD'
                              WHEN hash(payee_id, {seed}) % 10 < 9 THEN 'EUR' ELSE 'GBP' END
                             AS currency,
                         DATE '2020-01-01' AS hired_on,
                         CAST(60000 AS DECIMAL(18, 4)) AS target_incentive_amount
                  FROM people) TO '{data / "payees.parquet"}' (FORMAT parquet)""")
        con.execute(f"""
            COPY (SELECT payee_id, manager_id, DATE '2020-01-01' AS effective_from,
                         CAST(NULL AS DATE) AS effective_to
                  FROM people WHERE manager_id IS NOT NULL)
            TO '{data / "hierarchy.parquet"}' (FORMAT parquet)""")
        con.execute(f"""
            COPY (SELECT payee_id, 'bookings' AS measure_id, '2026-Q1' AS period_id,
                         CAST(CASE lvl WHEN 1 THEN 1 WHEN 2 THEN 10 WHEN 3 THEN 100 ELSE 1000 END
                              * {max(1, n // reps)} * 500 AS DECIMAL(18, 4)) AS quota_amount
                  FROM people) TO '{data / "quotas.parquet"}' (FORMAT parquet)""")
        con.execute(f"""
            COPY (SELECT * FROM (VALUES
                ('EUR', 'USD', CAST(1.08 AS DECIMAL(18, 8))), ('GBP', 'USD', 1.27),
                ('USD', 'EUR', 0.92), ('USD', 'GBP', 0.79)) v(from_currency, to_currency, rate),
                (SELECT DATE '2025-01-01' AS effective_from, CAST(NULL AS DATE) AS effective_to))
            TO '{data / "fx_rates.parquet"}' (FORMAT parquet)""")
        con.execute(f"""
            COPY (SELECT 'T' || i AS transaction_id,
                         'r' || (hash(i, {seed}) % {reps}) AS payee_id,
                         CAST((hash(i, {seed} + 1) % 2000000) // 100 + 100 AS DECIMAL(18, 4))
                             AS amount,
                         CASE hash(i, {seed} + 2) % 3 WHEN 0 THEN 'USD' WHEN 1 THEN 'EUR'
                              ELSE 'GBP' END AS currency,
                         DATE '2026-01-01' + CAST(hash(i, {seed} + 3) % 90 AS INTEGER)
                             AS booked_on,
                         CASE hash(i, {seed} + 4) % 4 WHEN 0 THEN 'security' WHEN 1 THEN 'data'
                              WHEN 2 THEN 'apps' ELSE 'services' END AS product_family,
                         'booked' AS status
                  FROM range({n}) t(i))
            TO '{data / "transactions.parquet"}' (FORMAT parquet)""")
    finally:
        con.close()
    return folder
