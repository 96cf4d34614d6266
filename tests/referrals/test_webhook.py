"""The CRM webhook: signed, timely, applied once; anything else changes nothing."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from openspm.referrals.models import Referral, Reward, WebhookEvent
from openspm.referrals.services import funnel
from tests.referrals.conftest import SECRET
from tests.referrals.factories import compute_rewards, make_program, make_referrer, submit

pytestmark = pytest.mark.django_db
URL = "/api/v1/referrals/webhooks/crm"


def post(
    client: Client,
    event: dict[str, Any],
    *,
    secret: str = SECRET,
    timestamp: int | None = None,
    signature: str | None = None,
) -> Any:
    body = json.dumps(event).encode()
    ts = str(int(time.time()) if timestamp is None else timestamp)
    sig = signature or "sha256=" + funnel.sign(secret=secret, timestamp=ts, body=body)
    return client.post(
        URL,
        body,
        content_type="application/json",
        headers={"X-OpenSPM-Timestamp": ts, "X-OpenSPM-Signature": sig},
    )


@pytest.fixture
def referral() -> Referral:
    program = make_program()
    return submit(program, make_referrer(program))


def _state() -> dict[str, list[dict[str, Any]]]:
    return {
        "referrals": list(Referral.objects.values()),
        "rewards": list(Reward.objects.values()),
        "events": list(WebhookEvent.objects.values()),
    }


class TestWebhook:
    def test_lead_to_won_moves_the_referral_and_rewards_it(
        self, client: Client, referral: Referral
    ) -> None:
        events = [
            {
                "id": "e1",
                "type": "lead.created",
                "referral_id": referral.pk,
                "lead_id": "L-1",
                "account": {"external_id": "CRM-9", "name": "Hooli", "country": "US"},
            },
            {"id": "e2", "type": "lead.qualified", "lead_id": "L-1"},
            {"id": "e3", "type": "opportunity.created", "lead_id": "L-1", "opportunity_id": "O-1"},
            {"id": "e4", "type": "opportunity.won", "opportunity_id": "O-1", "amount": "5000.00"},
        ]
        for event in events:
            response = post(client, event)
            assert response.status_code == 200, response.json()
        referral.refresh_from_db()
        assert (referral.stage, referral.deal_amount, referral.account.name) == (  # type: ignore[union-attr]
            "won",
            Decimal("5000.00"),
            "Hooli",
        )
        compute_rewards(referral.program)
        assert Reward.objects.filter(referral=referral).count() == 1

    def test_replay_is_rejected_and_changes_nothing(
        self, client: Client, referral: Referral
    ) -> None:
        event = {"id": "e1", "type": "lead.created", "referral_id": referral.pk, "lead_id": "L-1"}
        assert post(client, event).status_code == 200
        before = _state()
        again = post(client, {**event, "type": "lead.lost"})
        assert again.status_code == 409
        assert _state() == before

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"secret": "wrong-secret"},
            {"signature": "sha256=" + "0" * 64},
            {"signature": "garbage"},
            {"timestamp_offset": -301},
            {"timestamp_offset": 301},
        ],
        ids=["wrong-secret", "zero-signature", "garbage", "stale", "future"],
    )
    def test_bad_signature_or_stale_is_rejected_and_changes_nothing(
        self, client: Client, referral: Referral, kwargs: dict[str, Any]
    ) -> None:
        before = _state()
        if "timestamp_offset" in kwargs:
            kwargs = {"timestamp": int(time.time()) + kwargs["timestamp_offset"]}
        response = post(
            client,
            {"id": "e1", "type": "lead.created", "referral_id": referral.pk, "lead_id": "L"},
            **kwargs,
        )
        assert response.status_code == 401
        assert set(response.json()) == {"error", "detail"}
        assert _state() == before

    def test_missing_headers_are_rejected(self, client: Client, referral: Referral) -> None:
        before = _state()
        response = client.post(URL, b"{}", content_type="application/json")
        assert response.status_code == 401
        assert _state() == before

    def test_unconfigured_secret_rejects_everything(
        self, client: Client, referral: Referral, settings: Any
    ) -> None:
        settings.OPENSPM_REFERRAL_WEBHOOK_SECRET = ""
        event = {"id": "e1", "type": "lead.created", "referral_id": referral.pk}
        assert post(client, event, secret="").status_code == 401
        assert not WebhookEvent.objects.exists()

    def test_a_failed_event_is_not_recorded_so_it_can_be_redelivered(
        self, client: Client, referral: Referral
    ) -> None:
        event = {"id": "e1", "type": "opportunity.won", "referral_id": 999_999}
        assert post(client, event).status_code == 404
        assert not WebhookEvent.objects.exists()
        event["referral_id"] = referral.pk
        assert post(client, event).status_code == 200

    def test_redelivered_stage_sends_no_second_email(
        self, client: Client, referral: Referral
    ) -> None:
        from openspm.referrals.models import Message

        before = Message.objects.count()
        for n in (1, 2):
            event = {"id": f"q{n}", "type": "lead.qualified", "referral_id": referral.pk}
            assert post(client, event).status_code == 200
        assert Message.objects.count() == before + 1

    def test_unknown_type_is_invalid(self, client: Client, referral: Referral) -> None:
        response = post(client, {"id": "e1", "type": "lead.exploded", "referral_id": 1})
        assert response.status_code == 422
        assert not WebhookEvent.objects.exists()

    def test_listed_in_the_openapi_document(self, client: Client) -> None:
        document = client.get("/api/v1/openapi.json").json()
        operation = document["paths"][URL]["post"]
        headers = {p["name"] for p in operation["parameters"]}
        assert {"X-OpenSPM-Timestamp", "X-OpenSPM-Signature"} <= headers
        assert "/api/v1/referrals/submissions" in document["paths"]
