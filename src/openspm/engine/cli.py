"""``openspm calc``: run plans on files, explain a payee's payout, diff two runs.

``main(argv)`` receives the arguments after ``calc`` and returns the exit code: 0 on success,
1 when the plan or the data is wrong (every issue printed as ``file:line: path: message``),
2 on a usage error. A failed run leaves no output behind.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from openspm.engine.diff import diff_runs
from openspm.engine.errors import EngineError
from openspm.engine.explain import explain
from openspm.engine.inputs import read_folder
from openspm.engine.outputs import FORMATS, run_to_folder
from openspm.engine.plan.loader import load_plans


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="openspm calc", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_run = sub.add_parser("run", help="run plans over a folder of CSV/Parquet inputs")
    p_run.add_argument("plans", help="a plan file, or a folder of plan files")
    p_run.add_argument("--data", required=True, help="folder with one file per input table")
    p_run.add_argument("--period", required=True, help="2026-Q1, 2026-01 or 2026")
    p_run.add_argument("--out", required=True, help="output folder (replaced atomically)")
    p_run.add_argument("--as-of", type=date.fromisoformat, default=None)
    p_run.add_argument("--sql", help="also write the compiled SQL to this file")
    p_run.add_argument(
        "--format", choices=FORMATS, default="csv", help="output files (default: csv)"
    )
    p_run.add_argument(
        "--memory-limit",
        help="DuckDB's memory limit (e.g. 6GB): past it the run spills to a temporary folder",
    )
    p_exp = sub.add_parser("explain", help="explain how a payee's payout was reached")
    p_exp.add_argument("outdir")
    p_exp.add_argument("--payee", required=True)
    p_diff = sub.add_parser("diff", help="what changed per payee between two runs, and why")
    p_diff.add_argument("out_a")
    p_diff.add_argument("out_b")
    return parser


def main(argv: list[str]) -> int:
    """Entry point of ``openspm calc``; returns the process exit code."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    try:
        if args.command == "run":
            plans = load_plans(args.plans)
            inputs = read_folder(args.data)
            done = run_to_folder(
                plans,
                inputs,
                args.out,
                period=args.period,
                fmt=args.format,
                as_of=args.as_of,
                memory_limit=args.memory_limit,
                plan_files=[p.file for p in plans],
            )
            if args.sql:
                Path(args.sql).write_text(done.sql, encoding="utf-8")
            print(
                f"run {done.fingerprint[:12]} for {args.period}: "
                + ", ".join(f"{n} {c}" for n, c in done.rows.items())
                + f" → {args.out}"
            )
        elif args.command == "explain":
            print(explain(Path(args.outdir), args.payee), end="")
        else:
            print(diff_runs(Path(args.out_a), Path(args.out_b)), end="")
    except EngineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
