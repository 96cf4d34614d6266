"""Engine benchmark: files in, outputs out, against a bare DuckDB scan of the same data.

Run ``python -m benchmarks.engine`` (sizes with ``--sizes 100000:1000,1000000:10000``). For each
size it generates the inputs, then, in fresh processes, times (1) a bare DuckDB scan that
converts and aggregates the transactions per payee and (2) the full engine run: read Parquet,
credit with roll-ups, 4 marginal tiers, a cap, a SPIFF, quarterly true-up, full traces, write
the outputs (CSV, then Parquet, each streamed from DuckDB to its files). It prints seconds,
transactions per second, peak RSS and the ratio.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.generate import generate

SCAN = """
SELECT t.payee_id, SUM(t.amount * COALESCE(fx.rate, 1)) AS total, COUNT(*) AS n
FROM read_parquet('{data}/transactions.parquet') t
LEFT JOIN read_parquet('{data}/fx_rates.parquet') fx
  ON fx.from_currency = t.currency AND fx.to_currency = 'USD'
GROUP BY t.payee_id
"""


def _child(mode: str, folder: str, threads: int, memory_limit: str | None = None) -> None:
    import resource

    import duckdb

    start = time.perf_counter()
    if mode == "scan":
        con = duckdb.connect(config={"threads": threads})
        rows = con.execute(SCAN.format(data=f"{folder}/data")).fetchall()
        con.close()
        count = len(rows)
    else:
        from openspm.engine.inputs import read_folder
        from openspm.engine.outputs import run_to_folder
        from openspm.engine.plan.loader import load_plans

        fmt = "parquet" if mode == "engine-parquet" else "csv"
        plans = load_plans(f"{folder}/plan.yaml")
        done = run_to_folder(
            plans,
            read_folder(f"{folder}/data"),
            f"{folder}/out-{fmt}",
            period="2026-Q1",
            fmt=fmt,
            threads=threads,
            memory_limit=memory_limit,
        )
        count = sum(done.rows.values())
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime  # all threads: steadier than wall time on a busy box
    print(
        json.dumps(
            {"seconds": seconds, "cpu": cpu, "peak_mib": usage.ru_maxrss / 1024, "rows": count}
        )
    )


def _measure(
    mode: str, folder: Path, threads: int, memory_limit: str | None = None
) -> dict[str, float]:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.engine",
            "--child",
            mode,
            str(folder),
            "--threads",
            str(threads),
            *(["--memory-limit", memory_limit] if memory_limit else []),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="100000:1000,1000000:10000",
        help="comma-separated N:R pairs (transactions:reps)",
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--memory-limit", help="DuckDB memory_limit of the engine (e.g. 6GB): it spills past it"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per size (median kept)")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child[0], args.child[1], args.threads, args.memory_limit)
        return 0
    print(
        f"{'transactions':>12} {'payees':>8} {'output':>7} {'engine s':>9} {'cpu s':>7}"
        f" {'tx/s':>11} {'peak MiB':>9} {'scan s':>7} {'ratio':>6}"
    )
    for pair in args.sizes.split(","):
        n, reps = (int(x) for x in pair.split(":"))
        with tempfile.TemporaryDirectory(prefix="openspm-bench-") as tmp:
            folder = generate(Path(tmp), n, reps)
            scans = sorted(
                _measure("scan", folder, args.threads)["seconds"] for _ in range(args.repeat)
            )
            scan = scans[len(scans) // 2]
            payees = reps + (reps + 9) // 10 + (reps + 99) // 100 + (reps + 999) // 1000
            for mode, label in (("engine", "csv"), ("engine-parquet", "parquet")):
                runs = sorted(
                    (
                        _measure(mode, folder, args.threads, args.memory_limit)
                        for _ in range(args.repeat)
                    ),
                    key=lambda r: r["seconds"],
                )
                eng = runs[len(runs) // 2]
                print(
                    f"{n:>12,} {payees:>8,} {label:>7} {eng['seconds']:>9.2f} {eng['cpu']:>7.1f} "
                    f"{n / eng['seconds']:>11,.0f} {eng['peak_mib']:>9.0f} {scan:>7.2f} "
                    f"{eng['seconds'] / scan:>6.1f}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
