"""App-run benchmark: a calc run inside the app against the engine alone on the same data.

Run ``python -m benchmarks.app`` (``--sizes 60000:600,100000:1000,1000000:10000``,
``--backends sqlite,postgres``). For each size it generates the inputs
(``benchmarks/generate.py``), and for each database, in a fresh process: migrates an empty
database, loads the people, hierarchy, quotas, FX rates and transactions in bulk (COPY on
PostgreSQL, one prepared INSERT on SQLite), publishes the benchmark plan, exports the inputs
the app reads (``comp.services.calc.build_inputs``) to Parquet, and times a run through
``comp.services.calc.execute_run`` (read the database, run the engine, archive, write the
measure, earning-summary and payout lines; credits and deal lines stay in the run's
archive). Then, in another fresh
process, it times the engine alone on the exported files (as ``benchmarks/engine.py``: read
Parquet, run, write CSV). Each is measured ``--repeat`` times and the fastest kept (the
least disturbed by other work on a shared machine). It prints both, the ratio, the app
run's stages (``execute_run`` logs them) and the time of the slowest drill-down (the line
summing the most deal lines, read from the archive).

PostgreSQL: a scratch database ``openspm_bench_<pid>`` is created on ``--pg-url``'s server and
dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.engine import _measure
from benchmarks.generate import PLAN, generate

PG_URL = "postgres://postgres@127.0.0.1:5432/test"
PERIOD = "2026-Q1"
# The app's payees carry no target incentive, so the app plan has no TI-based cap.
APP_PLAN = PLAN.replace("id: bench\n", "id: bench\nversion: 1\n").replace(
    "    cap: {scope: period, ti_multiple: 3}\n", ""
)


class _Stages(logging.Handler):
    """Collects the stage timings `execute_run` logs."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        self.seconds.update(getattr(record, "stage_seconds", {}))


def _child(backend: str, folder: Path, repeat: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    load(folder / "data")
    load_seconds = time.perf_counter() - started
    _export(folder)
    runs = sorted((_app_run() for _ in range(repeat)), key=lambda r: r[2])
    run_id, stages, total = runs[0]
    rows = _line_count(run_id)
    print(
        json.dumps(
            {
                "backend": connection.vendor,
                "load_seconds": load_seconds,
                "seconds": total,
                "stages": stages,
                "lines": rows,
                **_drill_down(run_id),
            }
        )
    )


def _drill_down(run_id: int) -> dict[str, Any]:
    """The slowest drill-down a statement offers: the line summing the most deal lines (the
    top VP's roll-up tier), as its page reads it: its first deal lines and their credits from
    the run's archive, then their transactions (deal lines and credits are not database
    lines)."""
    from django.db.models import Sum

    from openspm.comp.models import EarningLine
    from openspm.comp.selectors import trace
    from openspm.core.models import User

    line = EarningLine.objects.filter(run_id=run_id).order_by("-line_count", "pk").first()
    assert line is not None
    admin = User.objects.get(username="bench-admin")
    started = time.perf_counter()
    shown = trace.get_line_trace(viewer=admin, line_id=line.pk)
    return {
        "deal_lines": EarningLine.objects.filter(run_id=run_id).aggregate(n=Sum("line_count"))["n"],
        "drill_seconds": time.perf_counter() - started,
        "drill_deals": shown.deal_count,
        "drill_shown": len(shown.deals),
    }


def _export(folder: Path) -> None:
    """Write the inputs the app reads, and the plan, for the engine-alone measurement."""
    import pyarrow.parquet as pq

    from openspm.comp.services import calc
    from openspm.org.models import Period

    period = Period.objects.get(key=PERIOD)
    exported = folder / "app"
    (exported / "data").mkdir(parents=True, exist_ok=True)
    (exported / "plan.yaml").write_text(APP_PLAN, encoding="utf-8")
    for name, table in calc.build_inputs(period=period).items():
        pq.write_table(table, exported / "data" / f"{name}.parquet")


def _app_run() -> tuple[int, dict[str, float], float]:
    from openspm.comp.services import calc
    from openspm.core.models import User

    stages = _Stages()
    logger = logging.getLogger("openspm.comp.services.calc")
    logger.addHandler(stages)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    admin = User.objects.get(username="bench-admin")
    started = time.perf_counter()
    run = calc.request_run(actor=admin, period_key=PERIOD, trigger="api")
    run = calc.execute_run(run_id=run.pk)
    total = time.perf_counter() - started
    logger.removeHandler(stages)
    if run.status != "succeeded":
        raise SystemExit(f"run failed: {run.error}")
    return run.pk, stages.seconds, total


def _line_count(run_id: int) -> int:
    from openspm.comp.models import CreditLine, EarningLine, MeasureLine, PayoutLine

    return sum(
        m.objects.filter(run_id=run_id).count()
        for m in (CreditLine, MeasureLine, EarningLine, PayoutLine)
    )  # type: ignore[attr-defined]  # credit lines: none since credits stay in the archive


def load(data: Path) -> None:
    """Load the generated Parquet inputs into the app's tables, in bulk."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    from django.db import connection, transaction
    from django.utils import timezone

    from openspm.comp.services.results import insert_arrow
    from openspm.core.models import User
    from openspm.org.models import Period, Person, ReportingLine
    from openspm.org.services import ensure_fiscal_year
    from openspm.plans import services as plan_services
    from openspm.quotas.models import Quota
    from openspm.sales.models import Currency, FxRate, Product, ProductFamily, Transaction

    now = timezone.now()
    stamp = str(connection.ops.adapt_datetimefield_value(now))

    def stamped(columns: dict[str, Any], n: int) -> pa.Table:
        return pa.table({**columns, "created_at": [stamp] * n, "updated_at": [stamp] * n})

    with transaction.atomic():
        ensure_fiscal_year(fiscal_year=2026)
        for code in ("USD", "EUR", "GBP"):
            Currency.objects.get_or_create(code=code, defaults={"name": code})
        products = {}
        for family in ("security", "data", "apps", "services"):
            fam = ProductFamily.objects.create(code=family, name=family)
            products[family] = Product.objects.create(sku=family, name=family, family=fam).pk
        payees = pq.read_table(data / "payees.parquet")
        n = payees.num_rows
        insert_arrow(
            Person,
            stamped(
                {
                    "external_id": payees.column("payee_id"),
                    "first_name": payees.column("name"),
                    "last_name": [""] * n,
                    "email": [""] * n,
                    "title": ["Seller"] * n,
                    "currency": payees.column("currency"),
                    "hired_on": payees.column("hired_on"),
                },
                n,
            ),
        )
        people = dict(Person.objects.values_list("external_id", "pk"))
        keys, pks = pa.array(list(people)), pa.array(list(people.values()), pa.int64())

        def pk_of(column: pa.ChunkedArray) -> pa.Array:
            return pks.take(pc.index_in(column, value_set=keys))

        lines = pq.read_table(data / "hierarchy.parquet")
        insert_arrow(
            ReportingLine,
            stamped(
                {
                    "person_id": pk_of(lines.column("payee_id")),
                    "manager_id": pk_of(lines.column("manager_id")),
                    "effective_from": lines.column("effective_from"),
                },
                lines.num_rows,
            ),
        )
        quotas = pq.read_table(data / "quotas.parquet")
        quarter = Period.objects.get(key=PERIOD).pk
        insert_arrow(
            Quota,
            stamped(
                {
                    "person_id": pk_of(quotas.column("payee_id")),
                    "period_id": [quarter] * quotas.num_rows,
                    "measure": quotas.column("measure_id"),
                    "amount": quotas.column("quota_amount"),
                    "currency_id": ["USD"] * quotas.num_rows,
                },
                quotas.num_rows,
            ),
        )
        for row in pq.read_table(data / "fx_rates.parquet").to_pylist():
            FxRate.objects.create(
                currency_id=row["from_currency"],
                quote_currency_id=row["to_currency"],
                rate=row["rate"],
                rate_on=row["effective_from"],
            )
        product_of = pa.array(list(products)), pa.array(list(products.values()), pa.int64())
        for batch in pq.ParquetFile(data / "transactions.parquet").iter_batches(200_000):
            m = batch.num_rows
            family = batch.column("product_family")
            insert_arrow(
                Transaction,
                stamped(
                    {
                        "external_id": batch.column("transaction_id"),
                        "owner_id": pk_of(batch.column("payee_id")),
                        "product_id": product_of[1].take(
                            pc.index_in(family, value_set=product_of[0])
                        ),
                        "booked_on": batch.column("booked_on"),
                        "amount": batch.column("amount"),
                        "currency_id": batch.column("currency"),
                        "quantity": [1] * m,
                        "type": ["new"] * m,
                        "status": batch.column("status"),
                    },
                    m,
                ),
            )
        admin = User.objects.create_superuser("bench-admin", "admin@example.com", None)
        finance = User.objects.create_superuser("bench-finance", "finance@example.com", None)
        draft = plan_services.create_plan(
            actor=admin, code="bench", name="Bench", text=APP_PLAN, effective_from=date(2026, 1, 1)
        )
        plan_services.submit_version(actor=admin, version_id=draft.pk)
        version = plan_services.approve_version(actor=finance, version_id=draft.pk)
        plan_services.assign_plan(
            actor=admin, plan_id=version.plan_id, title="Seller", effective_from=date(2026, 1, 1)
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _spawn(backend: str, folder: Path, pg_url: str, repeat: int) -> dict[str, Any]:
    env = dict(os.environ)  # noqa: TID251 - a benchmark launcher, not the app
    env["DJANGO_SETTINGS_MODULE"] = "openspm.settings"
    env.pop("DATABASE_URL", None)
    var = folder / f"var-{backend}"
    var.mkdir(exist_ok=True)
    env["OPENSPM_DATA_DIR"] = str(var)
    scratch = ""
    if backend == "postgres":
        scratch = f"openspm_bench_{os.getpid()}"
        _pg(pg_url, f"DROP DATABASE IF EXISTS {scratch}")
        _pg(pg_url, f"CREATE DATABASE {scratch}")
        env["DATABASE_URL"] = pg_url.rsplit("/", 1)[0] + "/" + scratch
    try:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.app",
                "--child",
                backend,
                str(folder),
                "--repeat",
                str(repeat),
            ],
            check=False,
            capture_output=True,
            text=True,
            env=env,
        )
    finally:
        if scratch:
            _pg(pg_url, f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")
    if out.returncode:
        raise SystemExit(f"{backend} child failed:\n{out.stdout}\n{out.stderr}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _pg(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as con:
        con.execute(sql)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="60000:600", help="comma-separated N:R pairs (transactions:reps)"
    )
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--threads", type=int, default=2, help="engine-alone DuckDB threads")
    parser.add_argument(
        "--repeat", type=int, default=2, help="app runs and engine runs per size (fastest kept)"
    )
    parser.add_argument("--child", nargs=2, metavar=("BACKEND", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child[0], Path(args.child[1]), args.repeat)
        return 0
    print(
        f"{'transactions':>12} {'backend':>9} {'lines':>10} {'load s':>7} {'engine s':>9}"
        f" {'app s':>7} {'ratio':>6}  app stages (s)"
    )
    for pair in args.sizes.split(","):
        n, reps = (int(x) for x in pair.split(":"))
        for backend in args.backends.split(","):
            with tempfile.TemporaryDirectory(prefix="openspm-appbench-") as tmp:
                folder = generate(Path(tmp), n, reps)
                app = _spawn(backend, folder, args.pg_url, args.repeat)
                alone = min(
                    (_measure("engine", folder / "app", args.threads) for _ in range(args.repeat)),
                    key=lambda r: r["seconds"],
                )
                stages = " ".join(f"{k} {v:.1f}" for k, v in app["stages"].items())
                print(
                    f"{n:>12,} {backend:>9} {app['lines']:>10,} {app['load_seconds']:>7.1f}"
                    f" {alone['seconds']:>9.1f} {app['seconds']:>7.1f}"
                    f" {app['seconds'] / alone['seconds']:>6.2f}  {stages}"
                    f"  | {app['deal_lines']:,} deal lines in the archive; drill-down of a"
                    f" line of {app['drill_deals']:,} ({app['drill_shown']} shown) in"
                    f" {app['drill_seconds']:.2f} s",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
