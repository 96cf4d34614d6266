"""The CRM webhook: signed, timely, stored once and answered 202, then applied by the worker
in order, once; anything refused changes nothing."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from openspm.referrals.errors import WebhookRejected
from openspm.referrals.models import Referral, Reward, WebhookEvent
from openspm.referrals.services import funnel
from tests.referrals.conftest import SECRET
from tests.referrals.factories import (
    compute_rewards,
    make_program,
    make_referrer,
    run_webhook_jobs,
    submit,
)

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
            assert response.status_code == 202, response.json()
            assert response.json()["status"] == "received"
        # Events 2-4 name the lead and opportunity only: found through the earlier events
        # before the worker has applied any of them.
        assert set(WebhookEvent.objects.values_list("referral_id", flat=True)) == {referral.pk}
        referral.refresh_from_db()
        assert referral.stage == Referral.Stage.SUBMITTED  # nothing applied in the request
        assert run_webhook_jobs() == ["applied"] * 4
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
        assert post(client, event).status_code == 202
        before = _state()
        assert post(client, {**event, "type": "lead.lost"}).status_code == 409  # not yet applied
        assert _state() == before
        run_webhook_jobs()
        before = _state()
        again = post(client, {**event, "type": "lead.lost"})
        assert again.status_code == 409
        assert _state() == before
        assert run_webhook_jobs() == []

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"secret": "wrong-secret"},
            {"signature": "sha256=" + "0" * 64},
            {"signature": "garbage"},
            # a minute past the tolerance, so a slow request cannot slip back inside it (the
            # exact bound is checked with a fixed clock below)
            {"timestamp_offset": -(funnel.TOLERANCE_SECONDS + 60)},
            {"timestamp_offset": funnel.TOLERANCE_SECONDS + 60},
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

    @pytest.mark.parametrize("offset", [-301, 301])
    def test_the_tolerance_ends_at_five_minutes(self, offset: int) -> None:
        now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
        body = b"{}"

        def check(ts: int) -> None:
            signature = funnel.sign(secret=SECRET, timestamp=str(ts), body=body)
            funnel.verify(timestamp=str(ts), signature=signature, body=body, now=now)

        edge = int(now.timestamp()) + (300 if offset > 0 else -300)
        check(edge)  # exactly five minutes off: accepted
        with pytest.raises(WebhookRejected):
            check(int(now.timestamp()) + offset)

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

    @pytest.mark.parametrize(
        "names",
        [{"referral_id": 999_999}, {"lead_id": "nobody"}, {"opportunity_id": "nothing"}],
        ids=["referral", "lead", "opportunity"],
    )
    def test_an_event_naming_no_known_referral_is_not_stored_so_it_can_be_redelivered(
        self, client: Client, referral: Referral, names: dict[str, Any]
    ) -> None:
        before = _state()
        event = {"id": "e1", "type": "opportunity.won", **names}
        assert post(client, event).status_code == 404
        assert _state() == before
        assert run_webhook_jobs() == []
        event = {"id": "e1", "type": "opportunity.won", "referral_id": referral.pk}
        assert post(client, event).status_code == 202

    def test_an_invalid_transition_is_recorded_as_failed_and_changes_nothing_else(
        self, client: Client, referral: Referral
    ) -> None:
        won = {"id": "w", "type": "opportunity.won", "referral_id": referral.pk, "amount": "10"}
        assert post(client, won).status_code == 202
        assert run_webhook_jobs() == ["applied"]
        before = _state()
        lost = {"id": "l", "type": "opportunity.lost", "referral_id": referral.pk}
        assert post(client, lost).status_code == 202
        assert run_webhook_jobs() == ["failed"]
        failed = WebhookEvent.objects.get(event_id="l")
        assert (failed.status, failed.applied_at, failed.error) == (
            WebhookEvent.Status.FAILED,
            None,
            "A won referral cannot be lost.",
        )
        after = _state()
        assert (after["referrals"], after["rewards"]) == (before["referrals"], before["rewards"])
        assert post(client, lost).status_code == 409  # recorded: a redelivery is a replay

    def test_a_referrals_events_are_applied_in_the_order_received(
        self, client: Client, referral: Referral
    ) -> None:
        """The worker runs the last event's job first: it applies the earlier ones before it,
        and the earlier jobs then find nothing left to do."""
        for n, kind in enumerate(["lead.created", "lead.qualified", "opportunity.created"]):
            assert (
                post(client, {"id": f"e{n}", "type": kind, "referral_id": referral.pk}).status_code
                == 202
            )
        last = WebhookEvent.objects.get(event_id="e2")
        applied = funnel.apply_webhook_event(event_pk=last.pk)
        assert applied.status == WebhookEvent.Status.APPLIED
        events = WebhookEvent.objects.order_by("pk")
        assert [e.status for e in events] == ["applied"] * 3
        assert [e.applied_at for e in events] == sorted(e.applied_at for e in events)  # type: ignore[type-var]
        referral.refresh_from_db()
        assert referral.stage == Referral.Stage.OPPORTUNITY
        assert run_webhook_jobs() == ["applied"] * 3  # each job: its event, already applied

    def test_running_a_job_twice_applies_its_event_once(
        self, client: Client, referral: Referral
    ) -> None:
        from openspm.referrals.models import Message

        event = {"id": "e1", "type": "lead.qualified", "referral_id": referral.pk}
        assert post(client, event).status_code == 202
        pk = WebhookEvent.objects.get(event_id="e1").pk
        messages = Message.objects.count()
        funnel.apply_webhook_event(event_pk=pk)
        after_first = _state()
        assert funnel.apply_webhook_event(event_pk=pk).status == WebhookEvent.Status.APPLIED
        assert _state() == after_first
        assert Message.objects.count() == messages + 1

    def test_a_request_stores_one_event_and_queues_one_job(
        self, client: Client, referral: Referral
    ) -> None:
        from django_tasks_db.models import DBTaskResult

        event = {"id": "e1", "type": "lead.created", "referral_id": referral.pk, "lead_id": "L"}
        assert post(client, event).status_code == 202
        stored = WebhookEvent.objects.get()
        assert (stored.event_type, stored.referral_id, stored.crm_lead_id, stored.status) == (
            "lead.created",
            referral.pk,
            "L",
            WebhookEvent.Status.RECEIVED,
        )
        assert json.loads(stored.body) == event
        job = DBTaskResult.objects.get(task_path__endswith=".apply_webhook_event")
        assert job.task_result.args == [stored.pk]

    @pytest.mark.parametrize(
        "bad",
        [{"amount": "12,50"}, {"amount": [1]}, {"first_year_amount": "lots"}, {"id": "x" * 129}],
        ids=["comma", "list", "words", "long-id"],
    )
    def test_a_malformed_event_is_refused_and_stores_nothing(
        self, client: Client, referral: Referral, bad: dict[str, Any]
    ) -> None:
        before = _state()
        event = {"id": "e1", "type": "opportunity.won", "referral_id": referral.pk, **bad}
        assert post(client, event).status_code == 422
        assert _state() == before

    def test_redelivered_stage_sends_no_second_email(
        self, client: Client, referral: Referral
    ) -> None:
        from openspm.referrals.models import Message

        before = Message.objects.count()
        for n in (1, 2):
            event = {"id": f"q{n}", "type": "lead.qualified", "referral_id": referral.pk}
            assert post(client, event).status_code == 202
        assert run_webhook_jobs() == ["applied", "applied"]
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


class TestCrmEventsOnTheReferralPage:
    def test_a_comp_admin_sees_each_event_and_why_one_failed(
        self, client: Client, referral: Referral, world: Any
    ) -> None:
        from tests.factories import PASSWORD

        post(client, {"id": "ok", "type": "opportunity.won", "referral_id": referral.pk})
        post(client, {"id": "bad", "type": "lead.lost", "referral_id": referral.pk})
        run_webhook_jobs()
        assert client.login(username=world.users["compadmin"].username, password=PASSWORD)
        page = client.get(f"/referrals/{referral.pk}/")
        events = {e.event_id: (e.status, e.error) for e in page.context["crm_events"]}
        assert events == {
            "ok": ("applied", ""),
            "bad": ("failed", "A won referral cannot be lost."),
        }
        assert "A won referral cannot be lost." in page.content.decode()

    def test_the_referrer_sees_none(self, client: Client, world: Any) -> None:
        from tests.factories import PASSWORD

        program = make_program()
        referrer = make_referrer(program, user=world.users["partner"])
        mine = submit(program, referrer)
        post(client, {"id": "crm-event-of-mine", "type": "lead.created", "referral_id": mine.pk})
        assert run_webhook_jobs() == ["applied"]
        assert client.login(username=world.users["partner"].username, password=PASSWORD)
        page = client.get(f"/referrals/{mine.pk}/")
        assert page.status_code == 200
        assert page.context["crm_events"] == []
        assert "crm-event-of-mine" not in page.content.decode()


class TestHousekeeping:
    def test_applies_an_event_whose_job_was_lost_once_it_is_an_hour_old(
        self, client: Client, referral: Referral
    ) -> None:
        from datetime import timedelta

        from django.utils import timezone
        from django_tasks_db.models import DBTaskResult

        from openspm.referrals.services import housekeeping

        event = {"id": "e1", "type": "lead.qualified", "referral_id": referral.pk}
        assert post(client, event).status_code == 202
        DBTaskResult.objects.all().delete()  # the job is lost
        assert housekeeping.run()["crm_events"] == 0  # too recent: its job may still run
        WebhookEvent.objects.update(received_at=timezone.now() - timedelta(minutes=61))
        assert housekeeping.run()["crm_events"] == 1
        assert WebhookEvent.objects.get().status == WebhookEvent.Status.APPLIED
        referral.refresh_from_db()
        assert referral.stage == Referral.Stage.QUALIFIED
        assert housekeeping.run()["crm_events"] == 0
