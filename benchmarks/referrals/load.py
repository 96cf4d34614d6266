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
import hashlib
import hmac
import http.client
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
SECRET = "bench-webhook-secret"
MAX_SECONDS = 120
MAX_THREADS = 128
WARM_UP_REFERRALS = 40
TARGET_P95_MS = 100.0
DRAIN_SECONDS = 300
# One referral's way through the CRM; past the end, the win is redelivered (a no-op stage).
FUNNEL = [
    ("lead.created", {}),
    ("lead.qualified", {}),
    ("opportunity.created", {}),
    ("opportunity.won", {"amount": "1250.00"}),
]


def _env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)  # noqa: TID251 - a benchmark launcher, not the app
    env.update(
        OPENSPM_DATA_DIR=str(data_dir),
        OPENSPM_ENV="production",
        OPENSPM_SECRET_KEY="bench-" + "k" * 40,
        OPENSPM_SECURE_SSL_REDIRECT="false",
        OPENSPM_REFERRAL_WEBHOOK_SECRET=SECRET,
        DJANGO_SETTINGS_MODULE="openspm.settings",
    )
    env.pop("DATABASE_URL", None)
    return env


def _python(env: dict[str, str], script: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + script],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1]


def _prepare(env: dict[str, str], referrals: int) -> str:
    """Migrate (once per data folder), then a fresh program with `referrals` referrals, each
    from its own referrer; returns the program's slug."""
    commands = [["migrate"]]
    if not (Path(env["OPENSPM_DATA_DIR"]) / "static" / "staticfiles.json").exists():
        commands.append(["collectstatic", "--noinput"])
    for command in commands:
        subprocess.run([sys.executable, "-m", "openspm", *command, "-v", "0"], env=env, check=True)
    script = (
        "import time\n"
        "from decimal import Decimal\n"
        "from openspm.referrals.models import Program\n"
        "from openspm.referrals.services import intake, programs\n"
        "slug = f'bench{int(time.time())}'\n"
        "p = Program.objects.create(slug=slug, name='Bench', kind='customer',"
        " reward_kind='fixed', reward_amount=Decimal('100'), holding_days=30)\n"
        f"for n in range({referrals}):\n"
        "    r = programs.create_referrer(program=p, name=f'R{n}', email=f'r{n}@r{n}.example')\n"
        "    intake.submit_referral(program=p, referrer=r, ip='',"
        " sub=intake.Submission(referee_name=f'P{n}', referee_email=f'p{n}@p{n}.example'))\n"
        "print(slug)\n"
    )
    return _python(env, script)


def _referral_ids(env: dict[str, str], slug: str) -> list[int]:
    script = (
        "import json\n"
        "from openspm.referrals.models import Referral\n"
        f"print(json.dumps(list(Referral.objects.filter(program__slug={slug!r})"
        ".order_by('pk').values_list('pk', flat=True))))\n"
    )
    return list(json.loads(_python(env, script)))


def _stored_events(env: dict[str, str], run: str) -> dict[str, int]:
    script = (
        "import json\n"
        "from openspm.referrals.models import WebhookEvent\n"
        f"qs = WebhookEvent.objects.filter(event_id__startswith={run + '-'!r})\n"
        "print(json.dumps({'stored': qs.count(),"
        " 'applied': qs.filter(status='applied', referral__isnull=False).count(),"
        " 'failed': qs.filter(status='failed').count(),"
        " 'waiting': qs.filter(status='received').count(),"
        " 'distinct': qs.values('event_id').distinct().count()}))\n"
    )
    return dict(json.loads(_python(env, script)))


def _drained(env: dict[str, str], run: str, timeout: float) -> tuple[dict[str, int], float]:
    """Wait until the worker has applied (or failed) every stored event of the run; returns
    the counts and the seconds waited."""
    started = time.monotonic()
    while True:
        stored = _stored_events(env, run)
        waited = time.monotonic() - started
        if stored["waiting"] == 0 or waited > timeout:
            return stored, round(waited, 1)
        time.sleep(0.5)


@contextmanager
def working(
    env: dict[str, str], *, batch: bool = False, nice: int = 0
) -> Iterator[subprocess.Popen[bytes]]:
    """`openspm worker` (no calc schedules), stopped on exit; `batch`: it exits when the queue
    is empty; `nice`: at that lower CPU priority (the requests wait on the server, nobody on
    the queue)."""
    worker = subprocess.Popen(
        [
            *(["nice", "-n", str(nice)] if nice else []),
            sys.executable,
            "-m",
            "openspm",
            "worker",
            "--schedule-every",
            "0",
            *(["--batch"] if batch else []),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield worker
    finally:
        if worker.poll() is None:
            worker.terminate()
        worker.wait(timeout=30)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _wait_up(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not come up")


def _cpu_seconds(root: int) -> float:
    """User + system CPU time of `root` and every process below it (Linux /proc; 0 elsewhere)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        pid = int(entry.parent.name)
        parents[pid] = int(fields[1])
        times[pid] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += times.get(pid, 0.0)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return total


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)] if ordered else 0.0


class Request:
    def __init__(self, method: str, path: str, body: bytes = b"", headers: Any = None) -> None:
        self.method, self.path, self.body, self.headers = method, path, body, headers or {}


def _landing_factory(slug: str) -> Callable[[int], Request]:
    return lambda _: Request("GET", f"/r/{slug}/")


def webhook_event(n: int, *, referral_ids: list[int], run: str) -> dict[str, Any]:
    """Event n: referral n mod R, at funnel step n div R (the last step repeats)."""
    count = len(referral_ids)
    kind, extra = FUNNEL[min(n // count, len(FUNNEL) - 1)]
    return {"id": f"{run}-{n}", "type": kind, "referral_id": referral_ids[n % count], **extra}


def _webhook_factory(referral_ids: list[int], run: str) -> Callable[[int], Request]:
    def make(n: int) -> Request:
        body = json.dumps(webhook_event(n, referral_ids=referral_ids, run=run)).encode()
        ts = str(int(time.time()))
        sig = hmac.new(SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        return Request(
            "POST",
            "/api/v1/referrals/webhooks/crm",
            body,
            {
                "Content-Type": "application/json",
                "X-OpenSPM-Timestamp": ts,
                "X-OpenSPM-Signature": "sha256=" + sig,
            },
        )

    return make


def drive(
    port: int, make: Callable[[int], Request], *, rps: int, seconds: float, threads: int
) -> dict[str, Any]:
    """Open-loop: request n is due at start + n / rps; each thread takes the next due one, on
    a new connection. Latency is measured from when the request was due, so a server that
    falls behind shows it (no coordinated omission)."""
    total = int(rps * seconds)
    lock = threading.Lock()
    counter = iter(range(total))
    latencies: list[float] = []
    service: list[float] = []
    errors: list[str] = []
    ok_count = 0
    start = time.monotonic() + 0.2

    def worker() -> None:
        nonlocal ok_count
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            due = start + n / rps
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            req = make(n)
            sent = time.monotonic()
            try:
                conn = http.client.HTTPConnection(HOST, port, timeout=10)
                conn.request(req.method, req.path, body=req.body or None, headers=req.headers)
                response = conn.getresponse()
                response.read()
                conn.close()
                status = str(response.status)
            except OSError as exc:
                status = type(exc).__name__
            done = time.monotonic()
            with lock:
                latencies.append(done - due)
                service.append(done - sent)
                if status in ("200", "202"):
                    ok_count += 1
                else:
                    errors.append(status)

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.monotonic() - start
    return {
        "requests": len(latencies),
        "ok": ok_count,
        "rps": round(len(latencies) / wall, 1),
        "p50_ms": round(_percentile(latencies, 50) * 1000, 1),
        "p95_ms": round(_percentile(latencies, 95) * 1000, 1),
        "p99_ms": round(_percentile(latencies, 99) * 1000, 1),
        "max_ms": round(max(latencies, default=0.0) * 1000, 1),
        # From the moment the request was sent, not when it was due: the server's share.
        "service_p95_ms": round(_percentile(service, 95) * 1000, 1),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
    }


def measured(server: int, port: int, make: Callable[[int], Request], **kw: Any) -> dict[str, Any]:
    """drive(), plus the CPU milliseconds per request of the server and of this client."""
    before, client_before = _cpu_seconds(server), time.process_time()
    result = drive(port, make, **kw)
    used, client_used = _cpu_seconds(server) - before, time.process_time() - client_before
    result["server_cpu_ms_per_request"] = round(used * 1000 / max(1, result["requests"]), 2)
    result["client_cpu_ms_per_request"] = round(client_used * 1000 / max(1, result["requests"]), 2)
    return result


@contextmanager
def serving(env: dict[str, str], args: argparse.Namespace) -> Iterator[tuple[int, int]]:
    port = _free_port()
    server_args = (
        ["--runserver"]
        if args.server == "runserver"
        else ["--workers", str(args.workers), "--threads", str(args.server_threads)]
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "openspm", "serve", f"{HOST}:{port}", "--no-worker", *server_args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_up(port)
        yield server.pid, port
    finally:
        server.terminate()
        server.wait(timeout=20)


def run(data_dir: Path, args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    seconds = min(args.seconds, MAX_SECONDS)
    threads = max(1, min(args.threads, MAX_THREADS))
    env = _env(data_dir)
    slug = _prepare(env, args.referrals + WARM_UP_REFERRALS)
    all_ids = _referral_ids(env, slug)
    referral_ids, warm_ids = all_ids[:-WARM_UP_REFERRALS], all_ids[-WARM_UP_REFERRALS:]
    tag = f"{slug}-{os.getpid()}"
    landing = _landing_factory(slug)
    webhook = _webhook_factory(referral_ids, tag)
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
        warm = _webhook_factory(warm_ids, f"warm-{tag}")
        drive(port, warm, rps=50, seconds=len(warm_ids) * 2 / 50, threads=8)
        if worker is not None:
            _drained(env, f"warm-{tag}", timeout=60)
        worker_before = _cpu_seconds(worker.pid) if worker is not None else 0.0
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
            stored, r["drain_wait_s"] = _drained(env, tag, timeout=DRAIN_SECONDS)
            if worker is not None:
                used = _cpu_seconds(worker.pid) - worker_before
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
