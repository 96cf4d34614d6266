"""Load test of the public referral landing page and the signed CRM webhook, on loopback.

Run ``python -m benchmarks.referrals.load`` (``--rps 200 --seconds 20 --threads 16``). Into a
fresh data folder it migrates (SQLite, the embedded default), creates a program and 50
referrals, starts ``openspm runserver`` on 127.0.0.1 with DEBUG off, then drives it with
threads and ``http.client`` at a fixed request rate per endpoint, one endpoint after the
other, and prints requests/s, p50, p95 and errors. Webhook events carry unique ids and valid
signatures; afterwards the number of recorded events must equal the number of 200 responses
(no lost events). Only 127.0.0.1 is ever contacted; count and time are bounded.
Target (issue 5): 200 requests/s, p95 ≤ 100 ms, no errors.
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
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
SECRET = "bench-webhook-secret"
MAX_SECONDS = 120
MAX_THREADS = 64


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


def _prepare(env: dict[str, str]) -> list[int]:
    """Migrate, then a program and 50 referrals; returns the referral ids."""
    for command in (["migrate"], ["collectstatic", "--noinput"]):
        subprocess.run([sys.executable, "-m", "openspm", *command, "-v", "0"], env=env, check=True)
    script = (
        "import django, json; django.setup()\n"
        "from decimal import Decimal\n"
        "from openspm.referrals.models import Program\n"
        "from openspm.referrals.services import intake, programs\n"
        "p = Program.objects.create(slug='bench', name='Bench', kind='customer',"
        " reward_kind='fixed', reward_amount=Decimal('100'))\n"
        "ids = []\n"
        "for n in range(50):\n"
        "    r = programs.create_referrer(program=p, name=f'R{n}', email=f'r{n}@r{n}.example')\n"
        "    ids.append(intake.submit_referral(program=p, referrer=r, ip='',"
        " sub=intake.Submission(referee_name=f'P{n}', referee_email=f'p{n}@p{n}.example')).pk)\n"
        "print(json.dumps(ids))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True
    )
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _wait_up(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not come up")


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)] if ordered else 0.0


class Request:
    def __init__(self, method: str, path: str, body: bytes = b"", headers: Any = None) -> None:
        self.method, self.path, self.body, self.headers = method, path, body, headers or {}


def _landing(_: int) -> Request:
    return Request("GET", "/r/bench/")


def _webhook_factory(referral_ids: list[int], run: str) -> Any:
    def make(n: int) -> Request:
        body = json.dumps(
            {
                "id": f"{run}-{n}",
                "type": "lead.qualified",
                "referral_id": referral_ids[n % len(referral_ids)],
            }
        ).encode()
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


def drive(port: int, make: Any, *, rps: int, seconds: float, threads: int) -> dict[str, Any]:
    """Open-loop: request n is due at start + n / rps; each thread takes the next due one."""
    total = int(rps * seconds)
    lock = threading.Lock()
    counter = iter(range(total))
    latencies: list[float] = []
    errors: list[str] = []
    start = time.monotonic() + 0.2

    def worker() -> None:
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
            began = time.monotonic()
            try:
                conn = http.client.HTTPConnection(HOST, port, timeout=10)
                conn.request(req.method, req.path, body=req.body or None, headers=req.headers)
                response = conn.getresponse()
                response.read()
                conn.close()
                ok = response.status == 200
                status = str(response.status)
            except OSError as exc:
                ok, status = False, type(exc).__name__
            elapsed = time.monotonic() - began
            with lock:
                latencies.append(elapsed)
                if not ok:
                    errors.append(status)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.monotonic() - start
    return {
        "requests": len(latencies),
        "rps": round(len(latencies) / wall, 1),
        "p50_ms": round(_percentile(latencies, 50) * 1000, 1),
        "p95_ms": round(_percentile(latencies, 95) * 1000, 1),
        "errors": len(errors),
        "error_kinds": sorted(set(errors)),
    }


def _count_events(env: dict[str, str], run: str) -> int:
    script = (
        "import django; django.setup()\n"
        "from openspm.referrals.models import WebhookEvent\n"
        f"print(WebhookEvent.objects.filter(event_id__startswith='{run}-').count())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True
    )
    return int(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rps", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    seconds = min(args.seconds, MAX_SECONDS)
    threads = max(1, min(args.threads, MAX_THREADS))
    with tempfile.TemporaryDirectory(prefix="openspm-referrals-bench-") as tmp:
        env = _env(Path(tmp))
        referral_ids = _prepare(env)
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "openspm", "runserver", f"{HOST}:{port}", "--noreload"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_up(port)
            results = {}
            results["landing"] = drive(
                port, _landing, rps=args.rps, seconds=seconds, threads=threads
            )
            run = f"bench{int(time.time())}"
            results["webhook"] = drive(
                port,
                _webhook_factory(referral_ids, run),
                rps=args.rps,
                seconds=seconds,
                threads=threads,
            )
            accepted = results["webhook"]["requests"] - results["webhook"]["errors"]
            results["webhook"]["events_recorded"] = _count_events(env, run)
            # A timed-out request may still have been applied: lost means accepted, not recorded.
            results["webhook"]["lost_events"] = max(
                0, accepted - results["webhook"]["events_recorded"]
            )
        finally:
            server.terminate()
            server.wait(timeout=10)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for name, r in results.items():
            print(
                f"{name:8s} {r['requests']:6d} requests  {r['rps']:7.1f} req/s  "
                f"p50 {r['p50_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms  errors {r['errors']}"
                + (f" {r['error_kinds']}" if r["errors"] else "")
                + (f"  lost events {r['lost_events']}" if "lost_events" in r else "")
            )
    ok = all(r["errors"] == 0 and r["p95_ms"] <= 100 for r in results.values())
    return 0 if ok and results["webhook"]["lost_events"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
