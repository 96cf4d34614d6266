"""Referral pages: the public landing page and links (no login), spam defences, the partner
portal, review, rewards, outbox, unsubscribe and analytics."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from openspm.referrals import views_public
from openspm.referrals.models import Click, Message, Referral, Reward
from openspm.referrals.services import campaigns, funnel, housekeeping, programs
from tests.factories import PASSWORD, World
from tests.referrals.factories import compute_rewards, make_program, make_referrer, submit

pytestmark = pytest.mark.django_db


def _started(seconds_ago: int = 10) -> str:
    return signing.dumps(
        int(timezone.now().timestamp()) - seconds_ago, salt=views_public.STARTED_SALT
    )


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "referee_name": "Grace Hopper",
        "referee_email": "grace@navy.example",
        "referee_company": "Navy Labs",
        "code": "",
        "website": "",
        "started": _started(),
    }
    return data | overrides


def login(client: Client, world: World, role: str) -> Client:
    assert client.login(username=world.users[role].username, password=PASSWORD)
    return client


class TestLanding:
    def test_works_without_login(self, client: Client) -> None:
        program = make_program(slug="friends", name="Friends of Acme")
        response = client.get("/r/friends/")
        assert response.status_code == 200
        assert response.context["program"] == program

    def test_unknown_or_inactive_program_is_404(self, client: Client) -> None:
        make_program(slug="closed", is_active=False)
        assert client.get("/r/closed/").status_code == 404
        assert client.get("/r/nothing/").status_code == 404

    def test_link_sets_only_the_referral_cookie_and_attributes(self, client: Client) -> None:
        program = make_program(slug="friends")
        referrer = make_referrer(program)
        response = client.get(f"/r/c/{referrer.code}")
        assert response.status_code == 302
        assert response["Location"] == "/r/friends/"
        assert set(response.cookies) == {views_public.COOKIE}
        assert response.cookies[views_public.COOKIE]["httponly"]
        assert Click.objects.filter(referrer=referrer).count() == 1
        response = client.post("/r/friends/", _form())
        assert response.status_code == 200
        referral = Referral.objects.get()
        assert (referral.referrer, referral.click) == (referrer, Click.objects.get())

    def test_typed_code_attributes(self, client: Client) -> None:
        program = make_program(slug="friends")
        referrer = make_referrer(program)
        client.post("/r/friends/", _form(code=referrer.code))
        assert Referral.objects.get().referrer == referrer

    def test_unknown_link_is_404(self, client: Client) -> None:
        assert client.get("/r/c/not-a-code").status_code == 404
        assert not Click.objects.exists()

    def test_honeypot_rejects(self, client: Client) -> None:
        program = make_program(slug="friends")
        code = make_referrer(program).code
        response = client.post("/r/friends/", _form(code=code, website="http://spam.example"))
        assert response.status_code == 422
        assert not Referral.objects.exists()

    def test_too_fast_rejects(self, client: Client) -> None:
        program = make_program(slug="friends")
        code = make_referrer(program).code
        response = client.post("/r/friends/", _form(code=code, started=_started(0)))
        assert response.status_code == 422
        assert not Referral.objects.exists()

    def test_forged_start_time_rejects(self, client: Client) -> None:
        program = make_program(slug="friends")
        code = make_referrer(program).code
        response = client.post("/r/friends/", _form(code=code, started="12345"))
        assert response.status_code == 422
        assert not Referral.objects.exists()

    def test_rate_limited_per_ip(self, client: Client) -> None:
        from openspm.referrals.services import intake

        program = make_program(slug="friends")
        code = make_referrer(program).code
        for n in range(intake.SUBMISSIONS_PER_IP_PER_HOUR):
            form = _form(code=code, referee_email=f"p{n}@x{n}.example", referee_company="")
            assert client.post("/r/friends/", form).status_code == 200
        response = client.post("/r/friends/", _form(code=code, referee_email="last@y.example"))
        assert response.status_code == 429
        assert Referral.objects.count() == intake.SUBMISSIONS_PER_IP_PER_HOUR


class TestApiSubmission:
    def test_public_submission(self, client: Client) -> None:
        program = make_program(slug="friends")
        referrer = make_referrer(program)
        response = client.post(
            "/api/v1/referrals/submissions",
            {
                "program": "friends",
                "code": referrer.code,
                "referee_name": "Alan",
                "referee_email": "alan@bletchley.example",
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["status"] == "pending"

    def test_invalid_email_is_422(self, client: Client) -> None:
        program = make_program(slug="friends")
        response = client.post(
            "/api/v1/referrals/submissions",
            {
                "program": "friends",
                "code": make_referrer(program).code,
                "referee_name": "Alan",
                "referee_email": "not-an-email",
            },
            content_type="application/json",
        )
        assert response.status_code == 422
        assert not Referral.objects.exists()


class TestPortal:
    def test_partner_sees_only_own_referrals_and_rewards(
        self, client: Client, world: World
    ) -> None:
        program = make_program(kind="partner")
        other = submit(program, make_referrer(program))
        funnel.advance(
            actor=world.users["compadmin"],
            referral_id=other.pk,
            update=funnel.StageUpdate(stage="won", deal_amount=Decimal("10")),
        )
        login(client, world, "partner")
        response = client.post(
            "/referrals/submit",
            {
                "program": program.pk,
                "referee_name": "Linus",
                "referee_email": "linus@kernel.example",
            },
        )
        assert response.status_code == 302
        mine = Referral.objects.get(referrer__user=world.users["partner"])
        page = client.get("/referrals/")
        assert [r.pk for r in page.context["referrals"]] == [mine.pk]
        assert page.context["rewards"] == []
        assert client.get(f"/referrals/{other.pk}/").status_code == 404
        assert client.get(f"/referrals/{mine.pk}/").status_code == 200

    def test_partner_cannot_submit_to_an_employee_program(
        self, client: Client, world: World
    ) -> None:
        program = make_program(kind="employee")
        login(client, world, "partner")
        response = client.post(
            "/referrals/submit",
            {"program": program.pk, "referee_name": "X", "referee_email": "x@y.example"},
        )
        assert response.status_code == 404
        assert not Referral.objects.exists()

    def test_rep_sees_referrals_routed_to_them(self, client: Client, world: World) -> None:
        program = make_program()
        mine = submit(program, make_referrer(program))
        theirs = submit(program, make_referrer(program))
        Referral.objects.filter(pk=mine.pk).update(owner=world.people["rep1"])
        Referral.objects.filter(pk=theirs.pk).update(owner=world.people["rep3"])
        login(client, world, "rep1")
        page = client.get("/referrals/")
        assert [r.pk for r in page.context["referrals"]] == [mine.pk]

    def test_review_queue_and_approval_by_comp_admin(self, client: Client, world: World) -> None:
        program = make_program()
        flagged = submit(program, make_referrer(program), email="a@mailinator.com")
        login(client, world, "compadmin")
        page = client.get("/referrals/review/")
        assert [r.pk for r in page.context["referrals"]] == [flagged.pk]
        client.post(f"/referrals/review/{flagged.pk}", {"decision": "approve"})
        flagged.refresh_from_db()
        assert flagged.status == Referral.Status.APPROVED

    def test_reps_cannot_open_the_review_queue(self, client: Client, world: World) -> None:
        login(client, world, "rep1")
        assert client.get("/referrals/review/").status_code == 403

    def test_reward_approve_and_pay_pages(self, client: Client, world: World) -> None:
        program = make_program()
        referral = submit(program, make_referrer(program))
        login(client, world, "compadmin")
        client.post(f"/referrals/{referral.pk}/advance", {"stage": "won", "deal_amount": "100"})
        compute_rewards(program)
        reward = Reward.objects.get()
        client.post(f"/referrals/rewards/{reward.pk}/approve")
        client.post(f"/referrals/rewards/{reward.pk}/pay")
        reward.refresh_from_db()
        assert reward.status == Reward.Status.PAID


class TestCampaigns:
    def test_messages_are_sent_after_commit(
        self, world: World, django_capture_on_commit_callbacks: object, settings: object
    ) -> None:
        settings.TASKS = {  # type: ignore[attr-defined]
            "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
        }
        program = make_program()
        programs.create_referrer(program=program, name="Ann", email="ann@ex.example")
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            sent = campaigns.invite(actor=world.users["compadmin"], program=program)
        assert [m.kind for m in sent] == ["invitation"]
        assert Message.objects.get().status == Message.Status.SENT
        assert mail.outbox[0].to == ["ann@ex.example"]
        assert "/r/unsubscribe/" in mail.outbox[0].body

    def test_opt_out_is_honoured(self, client: Client, world: World) -> None:
        program = make_program()
        referrer = programs.create_referrer(program=program, name="Ann", email="ann@ex.example")
        url = campaigns.unsubscribe_path(referrer)
        assert client.get(url).status_code == 200
        referrer.refresh_from_db()
        assert not referrer.is_opted_out
        assert client.post(url).status_code == 200
        referrer.refresh_from_db()
        assert referrer.is_opted_out
        message = campaigns.queue_message(kind="reminder", referrer=referrer)
        assert message.status == Message.Status.SKIPPED

    def test_bad_unsubscribe_token_is_404(self, client: Client) -> None:
        assert client.post("/r/unsubscribe/forged/").status_code == 404

    def test_outbox_page_for_approvers(self, client: Client, world: World) -> None:
        program = make_program()
        referrer = make_referrer(program)
        campaigns.queue_message(kind="reminder", referrer=referrer)
        login(client, world, "finance")
        assert len(client.get("/referrals/outbox/").context["messages_out"]) == 1

    def test_housekeeping_expires_and_reminds_once(self) -> None:
        program = make_program(expiry_days=30)
        old = submit(program, make_referrer(program))
        Referral.objects.filter(pk=old.pk).update(submitted_at=timezone.now() - timedelta(days=31))
        make_referrer(program)
        first = housekeeping.run()
        second = housekeeping.run()
        old.refresh_from_db()
        assert old.status == Referral.Status.CANCELLED
        assert (first["expired"], first["reminded"], second["reminded"]) == (1, 1, 0)


class TestAnalytics:
    def test_conversion_cost_and_roi(self, client: Client, world: World) -> None:
        program = make_program(slug="an")
        won = submit(program, make_referrer(program))
        submit(program, make_referrer(program))
        funnel.advance(
            actor=world.users["compadmin"],
            referral_id=won.pk,
            update=funnel.StageUpdate(stage="won", deal_amount=Decimal("1100")),
        )
        compute_rewards(program)
        login(client, world, "compadmin")
        stats = {s.program.slug: s for s in client.get("/referrals/analytics/").context["stats"]}
        s = stats["an"]
        assert (s.referrals, s.won, s.conversion_rate) == (2, 1, Decimal("0.5000"))
        assert (s.revenue_amount, s.reward_cost_amount, s.roi) == (
            Decimal("1100"),
            Decimal("100"),
            Decimal("10.00"),
        )
        rows = list(csv.DictReader(io.StringIO(client.get("/referrals/analytics.csv").text)))
        assert rows[0]["program"] == "an"
        assert rows[0]["roi"] == "10.00"
