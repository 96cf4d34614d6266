"""The CRM webhook against a forger and a replayer: a signature binds the timestamp and the
exact body, a captured request cannot be sent again, and concurrent deliveries of one event
store it once, so the worker applies it once. Every refusal changes nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from openspm.referrals.errors import WebhookReplay
from openspm.referrals.models import Message, Referral, Reward, WebhookEvent
from openspm.referrals.services import funnel
from tests.referrals.conftest import SECRET
from tests.referrals.factories import make_program, make_referrer, run_webhook_jobs, submit

URL = "/api/v1/referrals/webhooks/crm"


def signed(event: dict[str, Any], *, timestamp: int | None = None) -> tuple[bytes, str, str]:
    """(body, timestamp, signature header) as the CRM sends them."""
    body = json.dumps(event).encode()
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return body, ts, "sha256=" + funnel.sign(secret=SECRET, timestamp=ts, body=body)


def send(client: Client, body: bytes, ts: str, signature: str) -> Any:
    return client.post(
        URL,
        body,
        content_type="application/json",
        headers={"X-OpenSPM-Timestamp": ts, "X-OpenSPM-Signature": signature},
    )


def state() -> dict[str, list[dict[str, Any]]]:
    return {
        "referrals": list(Referral.objects.order_by("pk").values()),
        "rewards": list(Reward.objects.order_by("pk").values()),
        "events": list(WebhookEvent.objects.order_by("pk").values()),
        "messages": list(Message.objects.order_by("pk").values()),
    }


@pytest.fixture
def referral(db: None) -> Referral:
    program = make_program()
    return submit(program, make_referrer(program))


@pytest.mark.django_db
class TestForgery:
    def test_a_tampered_body_with_the_original_signature_is_refused(
        self, client: Client, referral: Referral
    ) -> None:
        body, ts, signature = signed(
            {"id": "e1", "type": "lead.created", "referral_id": referral.pk}
        )
        before = state()
        forged = body.replace(b"lead.created", b"lead.lost")
        assert forged != body
        assert send(client, forged, ts, signature).status_code == 401
        assert state() == before

    def test_a_fresh_timestamp_on_a_captured_request_is_refused(
        self, client: Client, referral: Referral
    ) -> None:
        """The timestamp is signed: an old request cannot be made current again."""
        old = int(time.time()) - 3600
        body, _, signature = signed(
            {"id": "e1", "type": "lead.created", "referral_id": referral.pk}, timestamp=old
        )
        before = state()
        assert send(client, body, str(int(time.time())), signature).status_code == 401
        assert send(client, body, str(old), signature).status_code == 401  # and it is stale
        assert state() == before

    @pytest.mark.parametrize(
        "make_signature",
        [
            lambda ts, body: "sha256="
            + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest(),
            lambda ts, body: "sha1="
            + hmac.new(SECRET.encode(), ts.encode() + b"." + body, hashlib.sha1).hexdigest(),
            lambda ts, body: "sha256=" + hashlib.sha256(ts.encode() + b"." + body).hexdigest(),
            lambda ts, body: "",
        ],
        ids=["body-only", "sha1", "unkeyed-hash", "empty"],
    )
    def test_signatures_that_are_not_the_shared_secret_hmac_are_refused(
        self, client: Client, referral: Referral, make_signature: Any
    ) -> None:
        body, ts, _ = signed({"id": "e1", "type": "lead.created", "referral_id": referral.pk})
        before = state()
        response = send(client, body, ts, make_signature(ts, body))
        assert response.status_code == 401
        assert state() == before

    def test_a_malformed_timestamp_is_refused(self, client: Client, referral: Referral) -> None:
        body, _, _ = signed({"id": "e1", "type": "lead.created", "referral_id": referral.pk})
        ts = "soon"
        signature = "sha256=" + funnel.sign(secret=SECRET, timestamp=ts, body=body)
        before = state()
        assert send(client, body, ts, signature).status_code == 401
        assert state() == before


@pytest.mark.django_db
class TestReplay:
    def test_the_same_request_sent_twice_is_applied_once(
        self, client: Client, referral: Referral
    ) -> None:
        captured = signed(
            {"id": "e1", "type": "lead.qualified", "referral_id": referral.pk, "lead_id": "L-1"}
        )
        assert send(client, *captured).status_code == 202
        assert run_webhook_jobs() == ["applied"]
        before = state()
        again = send(client, *captured)
        assert again.status_code == 409
        assert again.json()["error"]
        assert state() == before

    def test_a_replayed_id_aimed_at_another_referral_changes_nothing(
        self, client: Client, referral: Referral
    ) -> None:
        program = make_program()
        other = submit(program, make_referrer(program))
        assert (
            send(
                client, *signed({"id": "e1", "type": "lead.created", "referral_id": referral.pk})
            ).status_code
            == 202
        )
        run_webhook_jobs()
        before = state()
        replay = signed(
            {"id": "e1", "type": "opportunity.won", "referral_id": other.pk, "amount": "9"}
        )
        assert send(client, *replay).status_code == 409
        assert state() == before
        other.refresh_from_db()
        assert other.stage == Referral.Stage.SUBMITTED

    def test_a_refused_forgery_does_not_burn_the_event_id(
        self, client: Client, referral: Referral
    ) -> None:
        """A forger who learns an id cannot block the real event by sending it first."""
        event = {"id": "e1", "type": "lead.created", "referral_id": referral.pk}
        body, ts, _ = signed(event)
        assert send(client, body, ts, "sha256=" + "f" * 64).status_code == 401
        assert send(client, *signed(event)).status_code == 202
        assert WebhookEvent.objects.get(event_id="e1").referral_id == referral.pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_event_apply_it_once() -> None:
    """Four deliveries of one event at once (a CRM retrying on a slow answer): one is stored,
    the rest are replays, and once the worker has run the referral moved and emailed once."""
    program = make_program()
    referral = submit(program, make_referrer(program))
    messages_before = Message.objects.filter(referral=referral).count()
    body, ts, signature = signed(
        {"id": "race-1", "type": "lead.created", "referral_id": referral.pk, "lead_id": "L-9"}
    )
    outcomes: list[str] = []
    start = threading.Barrier(4)

    def deliver() -> None:
        try:
            start.wait()
            funnel.handle_webhook(timestamp=ts, signature=signature, body=body)
            outcomes.append("stored")
        except WebhookReplay:
            outcomes.append("replay")
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["replay", "replay", "replay", "stored"]
    assert WebhookEvent.objects.filter(event_id="race-1").count() == 1
    assert run_webhook_jobs() == ["applied"]
    referral.refresh_from_db()
    assert (referral.stage, referral.crm_lead_id) == (Referral.Stage.LEAD, "L-9")
    assert Message.objects.filter(referral=referral).count() == messages_before + 1
