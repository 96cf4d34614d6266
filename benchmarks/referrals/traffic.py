"""The load test's client: open-loop requests over `http.client` on loopback, the landing
page's and the CRM webhook's requests (signed events walking each referral through the
funnel), latency percentiles and CPU time per request."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import math
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
SECRET = "bench-webhook-secret"
# One referral's way through the CRM; past the end, the win is redelivered (a no-op stage).
FUNNEL = [
    ("lead.created", {}),
    ("lead.qualified", {}),
    ("opportunity.created", {}),
    ("opportunity.won", {"amount": "1250.00"}),
]


def cpu_seconds(root: int) -> float:
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


def landing_factory(slug: str) -> Callable[[int], Request]:
    return lambda _: Request("GET", f"/r/{slug}/")


def webhook_event(n: int, *, referral_ids: list[int], run: str) -> dict[str, Any]:
    """Event n: referral n mod R, at funnel step n div R (the last step repeats)."""
    count = len(referral_ids)
    kind, extra = FUNNEL[min(n // count, len(FUNNEL) - 1)]
    return {"id": f"{run}-{n}", "type": kind, "referral_id": referral_ids[n % count], **extra}


def webhook_factory(referral_ids: list[int], run: str) -> Callable[[int], Request]:
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
    before, client_before = cpu_seconds(server), time.process_time()
    result = drive(port, make, **kw)
    used, client_used = cpu_seconds(server) - before, time.process_time() - client_before
    result["server_cpu_ms_per_request"] = round(used * 1000 / max(1, result["requests"]), 2)
    result["client_cpu_ms_per_request"] = round(client_used * 1000 / max(1, result["requests"]), 2)
    return result
