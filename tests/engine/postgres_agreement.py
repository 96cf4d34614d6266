"""Run every golden case's compiled SQL on PostgreSQL and compare with DuckDB's results.

Not collected by pytest (it needs a server): ``python -m tests.engine.postgres_agreement
--dsn "host=/tmp port=5432 user=postgres"``. Inputs are normalised by DuckDB, copied into
PostgreSQL temp tables, the PostgreSQL rendering of the plan is executed statement by
statement, and each output table must equal DuckDB's, row for row and to the last decimal.
"""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import psycopg
import yaml

from openspm.engine import EngineError, load_plans, run
from openspm.engine.compile.dialect import get_dialect
from openspm.engine.compile.plan import compile_run
from openspm.engine.inputs import read_folder, register
from openspm.engine.run import base_columns

CASES = Path(__file__).parent / "cases"


def _rows(rows: list[tuple[object, ...]]) -> list[str]:
    return sorted(
        str(tuple(v.normalize() if isinstance(v, Decimal) else v for v in r)) for r in rows
    )


def check_case(case: Path, dsn: str) -> str:
    spec = yaml.safe_load((case / "case.yaml").read_text())
    if spec.get("error"):
        return "skipped (error case)"
    period = str(spec["period"])
    plans = load_plans(case / "plans" if (case / "plans").is_dir() else case / "plan.yaml")
    inputs = read_folder(case / "inputs")
    con = duckdb.connect()
    extra = register(con, inputs)
    program = compile_run(plans, period, get_dialect("postgres"), {**base_columns(), **extra})
    with psycopg.connect(dsn, autocommit=True) as pg, pg.cursor() as cur:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'in_%'"
            ).fetchall()
        ]
        for name in names:
            cols = con.execute(f"DESCRIBE {name}").fetchall()
            ddl = ", ".join(
                f'"{c[0]}" {c[1].replace("DECIMAL", "NUMERIC").replace("VARCHAR", "TEXT")}'
                for c in cols
            )
            cur.execute(f"CREATE TEMP TABLE {name} ({ddl})")
            with cur.copy(f"COPY {name} FROM STDIN") as copy:
                for row in con.execute(f"SELECT * FROM {name}").fetchall():
                    copy.write_row(row)
        for name, sql in program.statements:
            kind = "VIEW" if name in program.views else "TABLE"
            cur.execute(f"CREATE TEMP {kind} {name} AS {sql}")
        duck = run(plans, inputs, period=period)
        for name, sql in program.outputs.items():
            cur.execute(sql)
            want = duck.tables[name]
            if _rows(cur.fetchall()) != _rows([tuple(r.values()) for r in want.to_pylist()]):
                return f"DIFFER in {name}"
    return "agree"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", required=True)
    args = parser.parse_args(argv)
    failed = 0
    for case in sorted(p for p in CASES.iterdir() if (p / "case.yaml").exists()):
        try:
            verdict = check_case(case, args.dsn)
        except (EngineError, psycopg.Error) as exc:
            verdict = f"FAILED: {str(exc).splitlines()[0]}"
        failed += verdict.startswith(("DIFFER", "FAILED"))
        print(f"{case.name}: {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
