"""Load test of the public referral landing page and the signed CRM webhook, on loopback.

Run ``python -m benchmarks.referrals.load`` (``--rps 200 --seconds 20``). Into a fresh data
folder (or ``--data-dir``, kept and reused) it migrates SQLite, the embedded default, creates a
program and ``--referrals`` referrals, starts ``openspm serve`` (gunicorn, ``--workers`` x
``--server-threads``; ``--server runserver`` for Django's development server) on 127.0.0.1 with
DEBUG off, then drives it open-loop with threads and ``http.client`` at a fixed request rate,
one endpoint after the other (``--mixed``: both at once, each at the rate), and prints
requests/s, p50, p95, p99 and errors.

Webhook events carry unique ids and valid signatures, and walk each referral through the CRM
funnel (lead.created, lead.qualified, opportunity.created, opportunity.won with an amount;
then redeliveries of the win), so they create rewards and queue milestone emails as real
traffic does. The server stores each and answers 202; `openspm worker` applies them, running
beside the server during the load (``--worker during``, the default) or started once the load
is over (``--worker after``, ``--batch``). Afterwards the run waits for the worker to drain the
queue, then looks every event sent up: the numbers stored and applied must equal the number
sent and acknowledged — none lost, none stored twice, none failed.

Only 127.0.0.1 is ever contacted; count and time are bounded.
Target (issue 5): 200 requests/s, p95 <= 100 ms, no errors, no lost events.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from benchmarks.referrals.server import (
    bench_env,
    drained,
    list_referral_ids,
    prepare,
    serving,
    working,
)
from benchmarks.referrals.traffic import (
    SECRET,
    Request,
    cpu_seconds,
    drive,
    landing_factory,
    measured,
    webhook_event,
    webhook_factory,
)

__all__ = [
    "SECRET",
    "Request",
    "drive",
    "main",
    "passed",
    "run",
    "webhook_event",
    "webhook_factory",
]

MAX_SECONDS = 120
MAX_THREADS = 128
WARM_UP_REFERRALS = 40
TARGET_P95_MS = 100.0
DRAIN_SECONDS = 300


def run(data_dir: Path, args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    seconds = min(args.seconds, MAX_SECONDS)
    threads = max(1, min(args.threads, MAX_THREADS))
    env = bench_env(data_dir)
    slug = prepare(env, args.referrals + WARM_UP_REFERRALS)
    all_ids = list_referral_ids(env, slug)
    referral_ids, warm_ids = all_ids[:-WARM_UP_REFERRALS], all_ids[-WARM_UP_REFERRALS:]
    tag = f"{slug}-{os.getpid()}"
    landing = landing_factory(slug)
    webhook = webhook_factory(referral_ids, tag)
    results: dict[str, dict[str, Any]] = {}
    with ExitStack() as stack:
        pid, port = stack.enter_context(serving(env, args))
        worker = (
            stack.enter_context(working(env, nice=args.worker_nice))
            if args.worker == "during"
            else None
        )
        # Warm every worker process up (imports, template and URL caches) before measuring,
        # the webhook on referrals of its own, which the measured events never touch.
        drive(port, landing, rps=50, seconds=1, threads=8)
        warm = webhook_factory(warm_ids, f"warm-{tag}")
        drive(port, warm, rps=50, seconds=len(warm_ids) * 2 / 50, threads=8)
        if worker is not None:
            drained(env, f"warm-{tag}", timeout=60)
        worker_before = cpu_seconds(worker.pid) if worker is not None else 0.0
        if args.mixed:
            box: dict[str, dict[str, Any]] = {}
            jobs = [
                threading.Thread(
                    target=lambda name=name, make=make: box.__setitem__(
                        name,
                        measured(pid, port, make, rps=args.rps, seconds=seconds, threads=threads),
                    )
                )
                for name, make in (("landing", landing), ("webhook", webhook))
            ]
            for job in jobs:
                job.start()
            for job in jobs:
                job.join()
            results = {"landing": box["landing"], "webhook": box["webhook"]}
        else:
            if args.only in ("", "landing"):
                results["landing"] = measured(
                    pid, port, landing, rps=args.rps, seconds=seconds, threads=threads
                )
            if args.only in ("", "webhook"):
                results["webhook"] = measured(
                    pid, port, webhook, rps=args.rps, seconds=seconds, threads=threads
                )
        if "webhook" in results:
            r = results["webhook"]
            if worker is None:  # the worker starts now, and stops when the queue is empty
                started = time.monotonic()
                with working(env, batch=True) as batch:
                    batch.wait(timeout=DRAIN_SECONDS)
                r["worker_after_s"] = round(time.monotonic() - started, 1)
            stored, r["drain_wait_s"] = drained(env, tag, timeout=DRAIN_SECONDS)
            if worker is not None:
                used = cpu_seconds(worker.pid) - worker_before
                r["worker_cpu_ms_per_event"] = round(used * 1000 / max(1, stored["stored"]), 2)
            r["events_sent"] = r["requests"]
            r["events_stored"] = stored["stored"]
            r["events_applied"] = stored["applied"]
            r["events_failed"] = stored["failed"]
            r["events_waiting"] = stored["waiting"]
            # Lost: acknowledged but not stored and applied. A timed-out request may still have
            # been stored, so stored may exceed the acknowledged; it may never exceed what was
            # sent, and no id may be stored twice.
            r["lost_events"] = max(0, r["ok"] - stored["applied"])
            r["duplicate_events"] = stored["stored"] - stored["distinct"]
            r["events_consistent"] = (
                stored["stored"] == stored["applied"] == stored["distinct"] <= r["requests"]
            )
    return results


def passed(results: dict[str, dict[str, Any]]) -> bool:
    ok = all(r["errors"] == 0 and r["p95_ms"] <= TARGET_P95_MS for r in results.values())
    hook = results.get("webhook")
    if hook is not None:
        ok = ok and hook["lost_events"] == 0 and hook["events_consistent"]
        ok = ok and hook["events_stored"] == hook["events_sent"]
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rps", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--threads", type=int, default=32, help="client threads")
    parser.add_argument("--referrals", type=int, default=400)
    parser.add_argument("--server", choices=["gunicorn", "runserver"], default="gunicorn")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--server-threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--only", choices=["", "landing", "webhook"], default="")
    parser.add_argument("--mixed", action="store_true", help="both endpoints at once")
    parser.add_argument(
        "--worker",
        choices=["during", "after"],
        default="during",
        help="run `openspm worker` beside the server during the load, or once it is over",
    )
    parser.add_argument(
        "--worker-nice", type=int, default=0, help="run the worker under `nice -n N`"
    )
    parser.add_argument("--data-dir", type=Path, help="keep (and reuse) the database here")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.data_dir is not None:
        args.data_dir.mkdir(parents=True, exist_ok=True)
        results = run(args.data_dir, args)
    else:
        with tempfile.TemporaryDirectory(prefix="openspm-referrals-bench-") as tmp:
            results = run(Path(tmp), args)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for name, r in results.items():
            print(
                f"{name:8s} {r['requests']:6d} requests  {r['rps']:7.1f} req/s  "
                f"p50 {r['p50_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms  "
                f"p99 {r['p99_ms']:6.1f} ms  (sent-to-answer p95 {r['service_p95_ms']:.1f} ms)"
                f"  CPU ms/req server {r['server_cpu_ms_per_request']}"
                f" client {r['client_cpu_ms_per_request']}  errors {r['errors']}"
                + (f" {r['error_kinds']}" if r["errors"] else "")
                + (
                    f"  events sent {r['events_sent']} stored {r['events_stored']}"
                    f" applied {r['events_applied']} failed {r['events_failed']}"
                    f" lost {r['lost_events']} duplicated {r['duplicate_events']}"
                    f" (queue drained {r['drain_wait_s']} s after the load"
                    + (
                        f", worker CPU ms/event {r['worker_cpu_ms_per_event']})"
                        if "worker_cpu_ms_per_event" in r
                        else f"; worker run after it {r['worker_after_s']} s)"
                    )
                    if "lost_events" in r
                    else ""
                )
            )
    return 0 if passed(results) else 1


if __name__ == "__main__":
    sys.exit(main())
