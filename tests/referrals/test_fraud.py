"""Fraud checks beyond one signal each (see test_services.TestFraud): duplicates by every key,
what is not a duplicate, several signals at once, the hard limits per referrer and per IP, the
checks through the public doors, and the review queue holding what they flag."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.utils import timezone

from openspm.referrals import selectors
from openspm.referrals.errors import RateLimited
from openspm.referrals.models import FraudSignal, RateCounter, Referral
from openspm.referrals.services import funnel, intake, ratelimit, rewards
from openspm.referrals.views_public import STARTED_SALT
from tests.factories import World
from tests.referrals.factories import make_program, make_referrer, submit

pytestmark = pytest.mark.django_db


def kinds(referral: Referral) -> set[str]:
    return set(FraudSignal.objects.filter(referral=referral).values_list("kind", flat=True))


class TestDuplicates:
    def test_the_same_email_on_a_free_mail_domain(self) -> None:
        program = make_program()
        submit(program, make_referrer(program), email="sam@gmail.com")
        again = submit(program, make_referrer(program), email="SAM@gmail.com")
        assert again.status == Referral.Status.FLAGGED
        assert kinds(again) == {FraudSignal.Kind.DUPLICATE}

    def test_the_same_company_whatever_the_case(self) -> None:
        program = make_program()
        submit(program, make_referrer(program), email="a@gmail.com", company="Umbrella Corp")
        again = submit(
            program, make_referrer(program), email="b@yahoo.com", company=" umbrella corp "
        )
        assert kinds(again) == {FraudSignal.Kind.DUPLICATE}

    def test_different_people_on_a_free_mail_domain_are_not_duplicates(self) -> None:
        program = make_program()
        submit(program, make_referrer(program), email="one@gmail.com")
        assert kinds(submit(program, make_referrer(program), email="two@gmail.com")) == set()

    def test_a_lost_or_cancelled_referral_is_no_longer_open(self, world: World) -> None:
        program = make_program()
        lost = submit(program, make_referrer(program), email="cto@lost.example")
        funnel.advance(
            actor=world.users["compadmin"],
            referral_id=lost.pk,
            update=funnel.StageUpdate(stage="lost"),
        )
        rejected = submit(program, make_referrer(program), email="x@mailinator.com")
        funnel.review(actor=world.users["compadmin"], referral_id=rejected.pk, approve=False)
        assert kinds(submit(program, make_referrer(program), email="cfo@lost.example")) == set()
        again = submit(program, make_referrer(program), email="y@mailinator.com")
        assert FraudSignal.Kind.DUPLICATE not in kinds(again)

    def test_another_program_is_not_a_duplicate(self) -> None:
        first, second = make_program(), make_program()
        submit(first, make_referrer(first), email="cto@shared.example")
        assert kinds(submit(second, make_referrer(second), email="cto@shared.example")) == set()


class TestSignals:
    def test_every_reason_is_recorded_on_one_flagged_referral(self) -> None:
        program = make_program(eligibility={"countries": ["DE"]})
        referrer = make_referrer(program, name="Mallory Fraud", email="mallory@corp.example")
        referral = submit(
            program,
            referrer,
            name="mallory fraud",
            email="burner@mailinator.com",
            referee_country="US",
        )
        assert referral.status == Referral.Status.FLAGGED
        assert kinds(referral) == {
            FraudSignal.Kind.SELF_REFERRAL,
            FraudSignal.Kind.DISPOSABLE_EMAIL,
            FraudSignal.Kind.INELIGIBLE,
        }

    def test_signals_store_no_raw_payment_details_or_ip(self) -> None:
        program = make_program()
        referrer = make_referrer(
            program, payment_fingerprint=intake.fingerprint("gb29 nwbk 6016 1331 9268 19")
        )
        referral = submit(
            program, referrer, ip="203.0.113.77", payment_details="GB29 NWBK 6016 1331 9268 19"
        )
        assert kinds(referral) == {FraudSignal.Kind.SELF_REFERRAL}
        stored = " ".join(
            str(v) for row in Referral.objects.filter(pk=referral.pk).values() for v in row.values()
        )
        assert "203.0.113.77" not in stored
        assert "NWBK" not in stored.upper()
        assert referral.ip_hash == intake.fingerprint("203.0.113.77")


class TestHardLimits:
    @pytest.fixture(autouse=True)
    def one_window(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Every hit of a test in the same fixed windows: on the real clock a test can cross
        a minute's (or an hour's) boundary and see its counter start again."""
        now = timezone.now().replace(hour=12, minute=0, second=30, microsecond=0)
        monkeypatch.setattr(ratelimit, "timezone", SimpleNamespace(now=lambda: now))

    def test_submissions_per_referrer_per_day(self) -> None:
        program = make_program()
        referrer = make_referrer(program)
        for n in range(intake.SUBMISSIONS_PER_REFERRER_PER_DAY):
            submit(program, referrer, ip=f"10.9.{n // 200}.{n % 200}")
        with pytest.raises(RateLimited):
            submit(program, referrer, ip="10.99.0.1")
        assert Referral.objects.filter(referrer=referrer).count() == (
            intake.SUBMISSIONS_PER_REFERRER_PER_DAY
        )

    def test_link_clicks_per_ip_per_minute(self) -> None:
        program = make_program()
        referrer = make_referrer(program)
        for n in range(intake.CLICKS_PER_IP_PER_MINUTE):
            assert intake.record_click(code=referrer.code, visitor_id=f"v{n}", ip="192.0.2.50")
        with pytest.raises(RateLimited):
            intake.record_click(code=referrer.code, visitor_id="one-more", ip="192.0.2.50")
        # another address is not held back, and the counter keys on a hash, not the IP
        assert intake.record_click(code=referrer.code, visitor_id="other", ip="192.0.2.51")
        assert not RateCounter.objects.filter(key__contains="192.0.2").exists()

    def test_the_link_answers_429_past_the_limit(self, client: Client) -> None:
        program = make_program()
        referrer = make_referrer(program)
        for _ in range(intake.CLICKS_PER_IP_PER_MINUTE):
            assert client.get(f"/r/c/{referrer.code}").status_code == 302
        assert client.get(f"/r/c/{referrer.code}").status_code == 429

    def test_the_submission_api_answers_429_past_the_limit(self, client: Client) -> None:
        program = make_program()
        referrer = make_referrer(program)

        def post(n: int) -> Any:
            return client.post(
                "/api/v1/referrals/submissions",
                {
                    "program": program.slug,
                    "code": referrer.code,
                    "referee_name": f"Api Referee {n}",
                    "referee_email": f"api{n}@api{n}.example",
                },
                content_type="application/json",
            )

        for n in range(intake.SUBMISSIONS_PER_IP_PER_HOUR):
            assert post(n).status_code == 201
        refused = post(999)
        assert refused.status_code == 429
        assert Referral.objects.filter(program=program).count() == (
            intake.SUBMISSIONS_PER_IP_PER_HOUR
        )


class TestThroughThePublicDoors:
    def test_a_disposable_address_on_the_landing_page_is_accepted_but_held(
        self, client: Client
    ) -> None:
        program = make_program()
        referrer = make_referrer(program)
        started = signing.dumps(int(time.time()) - 60, salt=STARTED_SALT)
        response = client.post(
            f"/r/{program.slug}/",
            {
                "referee_name": "Throwaway",
                "referee_email": "t@mailinator.com",
                "code": referrer.code,
                "website": "",
                "started": started,
            },
        )
        assert response.status_code == 200
        referral = Referral.objects.get(referee_email="t@mailinator.com")
        assert referral.status == Referral.Status.FLAGGED
        assert kinds(referral) == {FraudSignal.Kind.DISPOSABLE_EMAIL}
        # the visitor is not told why: the page thanks them like anyone else
        assert b'data-testid="referral-thanks"' in response.content
        assert b"Disposable" not in response.content

    def test_a_self_referral_through_the_api_is_held(self, client: Client) -> None:
        program = make_program()
        referrer = make_referrer(program, email="owner@ownco.example")
        response = client.post(
            "/api/v1/referrals/submissions",
            {
                "program": program.slug,
                "code": referrer.code,
                "referee_name": "Me Again",
                "referee_email": "owner@ownco.example",
            },
            content_type="application/json",
        )
        assert response.status_code == 201
        referral = Referral.objects.get(pk=response.json()["id"])
        assert referral.status == Referral.Status.FLAGGED


class TestReviewQueue:
    def test_flagged_referrals_wait_in_the_queue_and_clean_ones_do_not(self, world: World) -> None:
        program = make_program()
        clean = submit(program, make_referrer(program))
        flagged = submit(program, make_referrer(program), email="z@mailinator.com")
        queue = list(selectors.list_review_queue(viewer=world.users["compadmin"]))
        assert flagged in queue
        assert clean not in queue

    def test_a_flagged_referral_that_wins_is_not_due_for_a_reward(self, world: World) -> None:
        program = make_program()
        flagged = submit(program, make_referrer(program), email="z@mailinator.com")
        admin = world.users["compadmin"]
        for stage in ("lead", "qualified", "opportunity", "won"):
            funnel.advance(
                actor=admin, referral_id=flagged.pk, update=funnel.StageUpdate(stage=stage)
            )
        assert flagged not in rewards.due_referrals(program=program)
        funnel.review(actor=admin, referral_id=flagged.pk, approve=True)
        assert [r.pk for r in rewards.due_referrals(program=program)] == [flagged.pk]


class TestRateCounter:
    """The counter behind every hard limit: one upsert statement per hit."""

    def test_counts_per_key_and_window_and_reads_back_through_the_orm(self) -> None:
        now = timezone.now()
        assert [ratelimit.hit(key="a", limit=10, window_seconds=60, now=now) for _ in "xyz"] == [
            1,
            2,
            3,
        ]
        assert ratelimit.hit(key="b", limit=10, window_seconds=60, now=now) == 1
        row = RateCounter.objects.get(key="a")
        assert row.count == 3
        assert row.window_start == ratelimit._window_start(now, 60)
        # the update-then-insert path (SQLite before 3.35) continues the same row
        assert ratelimit._count_orm("a", row.window_start) == 4

    def test_old_windows_are_purged_by_their_start(self) -> None:
        now = timezone.now()
        ratelimit.hit(key="old", limit=10, window_seconds=60, now=now - timedelta(hours=2))
        ratelimit.hit(key="new", limit=10, window_seconds=60, now=now)
        assert ratelimit.purge(before=now - timedelta(hours=1)) == 1
        assert list(RateCounter.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_are_each_counted_once() -> None:
    now = timezone.now()
    seen: list[int] = []
    start = threading.Barrier(6)

    def hammer() -> None:
        try:
            start.wait()
            for _ in range(5):
                seen.append(ratelimit.hit(key="k", limit=1000, window_seconds=3600, now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=hammer) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(seen) == list(range(1, 31))
    assert RateCounter.objects.get(key="k").count == 30
