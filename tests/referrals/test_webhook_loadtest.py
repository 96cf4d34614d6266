"""The referral load test's own checks (benchmarks/referrals/load.py): its events walk the
funnel with unique ids, its signatures are the ones the server accepts, it counts every
answer but 200 and 202 as an error, and it fails a run that lost, duplicated or was slow."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from benchmarks.referrals import load
from django.test import Client

from openspm.referrals.models import Referral, WebhookEvent
from tests.referrals.factories import make_program, make_referrer, run_webhook_jobs, submit


def test_events_walk_each_referral_through_the_funnel_with_unique_ids() -> None:
    ids = [11, 12, 13]
    events = [load.webhook_event(n, referral_ids=ids, run="r") for n in range(15)]
    assert len({e["id"] for e in events}) == 15
    assert [e["type"] for e in events if e["referral_id"] == 12] == [
        "lead.created",
        "lead.qualified",
        "opportunity.created",
        "opportunity.won",
        "opportunity.won",
    ]
    assert all(e["amount"] == "1250.00" for e in events if e["type"] == "opportunity.won")


@pytest.mark.django_db
def test_its_signed_requests_are_accepted_and_applied(client: Client, settings: Any) -> None:
    settings.OPENSPM_REFERRAL_WEBHOOK_SECRET = load.SECRET
    program = make_program()
    referrals = [submit(program, make_referrer(program)) for _ in range(2)]
    make = load.webhook_factory([r.pk for r in referrals], "t")
    for n in range(8):
        request = make(n)
        response = client.post(
            request.path,
            request.body,
            content_type="application/json",
            headers={k: v for k, v in request.headers.items() if k != "Content-Type"},
        )
        assert response.status_code == 202, response.content
    assert WebhookEvent.objects.filter(event_id__startswith="t-").count() == 8
    assert run_webhook_jobs() == ["applied"] * 8
    assert set(Referral.objects.values_list("stage", flat=True)) == {"won"}


class _Flaky(BaseHTTPRequestHandler):
    """200 for even paths, 500 for odd ones."""

    def do_GET(self) -> None:
        status = 200 if int(self.path.strip("/")) % 2 == 0 else 500
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def flaky_port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


def test_drive_counts_every_answer_and_every_error(flaky_port: int) -> None:
    result = load.drive(
        flaky_port, lambda n: load.Request("GET", f"/{n}"), rps=100, seconds=0.4, threads=4
    )
    assert (result["requests"], result["ok"], result["errors"]) == (40, 20, 20)
    assert result["error_kinds"] == ["500"]
    assert result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"] <= result["max_ms"]


def _result(**changes: Any) -> dict[str, dict[str, Any]]:
    landing = {"errors": 0, "p95_ms": 20.0}
    webhook = {
        "errors": 0,
        "p95_ms": 30.0,
        "lost_events": 0,
        "events_consistent": True,
        "events_stored": 10,
        "events_sent": 10,
    }
    webhook.update(changes)
    return {"landing": landing, "webhook": webhook}


@pytest.mark.parametrize(
    "changes",
    [
        {"errors": 1},
        {"p95_ms": 100.1},
        {"lost_events": 1},
        {"events_consistent": False},
        {"events_stored": 9},
    ],
    ids=["error", "slow", "lost", "duplicated", "missing"],
)
def test_a_run_fails_on_any_error_loss_or_slowness(changes: dict[str, Any]) -> None:
    assert load.passed(_result())
    assert not load.passed(_result(**changes))
