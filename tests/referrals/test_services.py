"""Referral services: attribution, fraud checks, routing, the funnel and rewards."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from openspm.core.errors import PermissionDenied
from openspm.referrals.errors import InvalidTransition, ProgramClosed, RateLimited
from openspm.referrals.models import Click, FraudSignal, Program, Referral, Reward
from openspm.referrals.services import funnel, intake, programs, ratelimit, rewards
from openspm.territories.models import Territory, TerritoryMember, TerritoryRule
from tests.factories import World, make_account
from tests.referrals.factories import compute_rewards, make_program, make_referrer, submit

pytestmark = pytest.mark.django_db


def _kinds(referral: Referral) -> set[str]:
    return set(FraudSignal.objects.filter(referral=referral).values_list("kind", flat=True))


def _win(world: World, referral: Referral, amount: str = "10000.00") -> Referral:
    admin = world.users["compadmin"]
    for stage in ("lead", "qualified", "opportunity"):
        funnel.advance(actor=admin, referral_id=referral.pk, update=funnel.StageUpdate(stage=stage))
    won = funnel.advance(
        actor=admin,
        referral_id=referral.pk,
        update=funnel.StageUpdate(stage="won", deal_amount=Decimal(amount)),
    )
    compute_rewards(won.program)
    return won


class TestCodes:
    def test_codes_are_unique_and_unguessable(self) -> None:
        program = make_program()
        codes = {make_referrer(program).code for _ in range(20)}
        assert len(codes) == 20
        assert all(len(c) >= 12 for c in codes)


class TestAttribution:
    def _click(self, referrer: object, visitor: str, days_ago: int) -> Click:
        click = intake.record_click(code=referrer.code, visitor_id=visitor, ip="10.1.1.1")  # type: ignore[attr-defined]
        assert click is not None
        Click.objects.filter(pk=click.pk).update(
            clicked_at=timezone.now() - timedelta(days=days_ago)
        )
        return click

    def test_first_touch_within_the_window_wins(self) -> None:
        program = make_program()
        first, second = make_referrer(program), make_referrer(program)
        self._click(first, "visitor-a", 10)
        self._click(second, "visitor-a", 1)
        referrer, _ = intake.attribute(
            program=program, code="", visitor_id="visitor-a", now=timezone.now()
        )
        assert referrer == first

    def test_last_touch_when_the_program_says_so(self) -> None:
        program = make_program(attribution_model=Program.Attribution.LAST_TOUCH)
        first, second = make_referrer(program), make_referrer(program)
        self._click(first, "visitor-a", 10)
        self._click(second, "visitor-a", 1)
        referrer, _ = intake.attribute(
            program=program, code="", visitor_id="visitor-a", now=timezone.now()
        )
        assert referrer == second

    def test_clicks_outside_the_window_do_not_count(self) -> None:
        program = make_program(attribution_window_days=30)
        old, typed = make_referrer(program), make_referrer(program)
        self._click(old, "visitor-a", 31)
        referrer, click = intake.attribute(
            program=program, code=typed.code, visitor_id="visitor-a", now=timezone.now()
        )
        assert (referrer, click) == (typed, None)

    def test_clicks_store_hashes_not_raw_ips(self) -> None:
        program = make_program()
        click = intake.record_click(
            code=make_referrer(program).code, visitor_id="v", ip="203.0.113.7"
        )
        assert click is not None
        assert "203.0.113.7" not in click.ip_hash
        assert len(click.ip_hash) == 64

    def test_submission_without_a_known_code_is_refused(self) -> None:
        program = make_program()
        with pytest.raises(Exception, match="valid referral code"):
            intake.submit_referral(
                program=program,
                ip="10.0.0.1",
                code="nope",
                sub=intake.Submission(referee_name="A", referee_email="a@b.example"),
            )
        assert not Referral.objects.exists()

    def test_closed_program_refuses(self) -> None:
        program = make_program(is_active=False)
        with pytest.raises(ProgramClosed):
            submit(program, make_referrer(program))


class TestFraud:
    def test_clean_referral_is_pending(self) -> None:
        program = make_program()
        referral = submit(program, make_referrer(program))
        assert referral.status == Referral.Status.PENDING
        assert _kinds(referral) == set()

    def test_same_email(self) -> None:
        program = make_program()
        referrer = make_referrer(program, email="me@acme.example")
        referral = submit(program, referrer, email="ME@acme.example")
        assert referral.status == Referral.Status.FLAGGED
        assert "self_referral" in _kinds(referral)

    def test_same_company_domain(self) -> None:
        program = make_program()
        referrer = make_referrer(program, email="me@acme.example")
        assert "self_referral" in _kinds(submit(program, referrer, email="boss@acme.example"))

    def test_shared_generic_domain_is_not_self_referral(self) -> None:
        program = make_program()
        referrer = make_referrer(program, email="me@gmail.com")
        referral = submit(program, referrer, email="friend@gmail.com")
        assert _kinds(referral) == set()

    def test_same_name(self) -> None:
        program = make_program()
        referrer = make_referrer(program, name="Ada Lovelace")
        assert "self_referral" in _kinds(submit(program, referrer, name=" ada  LOVELACE "))

    def test_same_address(self) -> None:
        program = make_program()
        referrer = make_referrer(program, address="1 Main St, Springfield")
        referral = submit(program, referrer, referee_address="1 main st,  springfield")
        assert "self_referral" in _kinds(referral)

    def test_same_payment_details(self) -> None:
        program = make_program()
        referrer = make_referrer(
            program, payment_fingerprint=intake.fingerprint("de89 3704 0044 0532 0130 00")
        )
        referral = submit(program, referrer, payment_details="DE89 3704  0044 0532 0130 00")
        assert "self_referral" in _kinds(referral)

    def test_duplicate_of_an_open_referral(self) -> None:
        program = make_program()
        referrer = make_referrer(program)
        submit(program, referrer, email="cto@target.example")
        again = submit(program, make_referrer(program), email="cfo@target.example")
        assert "duplicate" in _kinds(again)

    def test_disposable_email(self) -> None:
        program = make_program()
        referral = submit(program, make_referrer(program), email="x@mailinator.com")
        assert "disposable_email" in _kinds(referral)

    def test_existing_customer(self) -> None:
        make_account(name="Globex")
        program = make_program()
        referral = submit(program, make_referrer(program), company="globex")
        assert "existing_customer" in _kinds(referral)
        assert referral.account is not None

    def test_existing_customer_allowed_by_eligibility(self) -> None:
        make_account(name="Globex")
        program = make_program(eligibility={"allow_existing_customers": True})
        assert _kinds(submit(program, make_referrer(program), company="Globex")) == set()

    def test_country_outside_eligibility(self) -> None:
        program = make_program(eligibility={"countries": ["DE", "FR"]})
        referral = submit(program, make_referrer(program), referee_country="us")
        assert "ineligible" in _kinds(referral)

    def test_referrer_velocity(self) -> None:
        program = make_program()
        referrer = make_referrer(program)
        made = [submit(program, referrer) for _ in range(intake.VELOCITY_PER_REFERRER_PER_DAY + 1)]
        assert "referrer_velocity" not in _kinds(made[0])
        assert "referrer_velocity" in _kinds(made[-1])

    def test_ip_velocity(self) -> None:
        program = make_program()
        made = [
            submit(program, make_referrer(program), ip="198.51.100.9")
            for _ in range(intake.VELOCITY_PER_IP_PER_DAY + 1)
        ]
        assert "ip_velocity" not in _kinds(made[0])
        assert "ip_velocity" in _kinds(made[-1])

    def test_flagged_referral_gets_no_reward_until_reviewed(self, world: World) -> None:
        program = make_program()
        referrer = make_referrer(program, email="me@acme.example")
        referral = _win(world, submit(program, referrer, email="me@acme.example"))
        assert referral.status == Referral.Status.FLAGGED
        assert not Reward.objects.exists()
        funnel.review(actor=world.users["compadmin"], referral_id=referral.pk, approve=True)
        compute_rewards(program)
        assert Reward.objects.filter(referral=referral).count() == 1

    def test_rejected_referral_is_cancelled(self, world: World) -> None:
        program = make_program()
        referral = submit(program, make_referrer(program), email="x@mailinator.com")
        funnel.review(actor=world.users["compadmin"], referral_id=referral.pk, approve=False)
        referral.refresh_from_db()
        assert referral.status == Referral.Status.CANCELLED

    def test_reps_may_not_review(self, world: World) -> None:
        program = make_program()
        referral = submit(program, make_referrer(program), email="x@mailinator.com")
        with pytest.raises(PermissionDenied):
            funnel.review(actor=world.users["rep1"], referral_id=referral.pk, approve=True)
        referral.refresh_from_db()
        assert referral.status == Referral.Status.FLAGGED


class TestRateLimits:
    def test_submissions_per_ip_are_capped_across_calls(self) -> None:
        program = make_program()
        referrer = make_referrer(program)
        for _ in range(intake.SUBMISSIONS_PER_IP_PER_HOUR):
            submit(program, referrer, ip="192.0.2.1")
        with pytest.raises(RateLimited):
            submit(program, referrer, ip="192.0.2.1")
        assert Referral.objects.count() == intake.SUBMISSIONS_PER_IP_PER_HOUR

    def test_counter_is_per_window(self) -> None:
        now = timezone.now()
        assert ratelimit.hit(key="k", limit=1, window_seconds=60, now=now) == 1
        with pytest.raises(RateLimited):
            ratelimit.hit(key="k", limit=1, window_seconds=60, now=now)
        later = now + timedelta(seconds=61)
        assert ratelimit.hit(key="k", limit=1, window_seconds=60, now=later) == 1


class TestRouting:
    def test_lead_goes_to_the_territory_owner(self, world: World) -> None:
        territory = Territory.objects.create(code="DACH", name="DACH")
        TerritoryRule.objects.create(territory=territory, field="country", value="DE")
        TerritoryMember.objects.create(
            territory=territory,
            person=world.people["rep3"],
            effective_from=timezone.localdate() - timedelta(days=30),
        )
        program = make_program()
        referral = submit(program, make_referrer(program))
        assert referral.owner is None
        referral = funnel.advance(
            actor=world.users["compadmin"],
            referral_id=referral.pk,
            update=funnel.StageUpdate(
                stage="lead",
                account={"external_id": "CRM-1", "name": "Initech GmbH", "country": "de"},
            ),
        )
        assert referral.account is not None
        assert referral.account.name == "Initech GmbH"
        assert referral.owner == world.people["rep3"]

    def test_existing_account_routes_at_submission(self, world: World) -> None:
        make_account(name="Globex", owner=world.people["rep2"])
        program = make_program(eligibility={"allow_existing_customers": True})
        referral = submit(program, make_referrer(program), company="Globex")
        assert referral.owner == world.people["rep2"]


class TestFunnelAndRewards:
    def test_fixed_reward_at_closed_won(self, world: World) -> None:
        program = make_program(holding_days=30)
        referrer = make_referrer(program, person=world.people["rep1"])
        referral = _win(world, submit(program, referrer))
        reward = Reward.objects.get(referral=referral)
        assert (reward.amount, reward.status, reward.payee) == (
            Decimal("100.00"),
            Reward.Status.HELD,
            world.people["rep1"],
        )
        assert reward.release_on == referral.won_at.date() + timedelta(days=30)  # type: ignore[union-attr]

    def test_percent_of_first_deal(self, world: World) -> None:
        program = make_program(
            reward_kind=Program.RewardKind.PERCENT_FIRST_DEAL,
            reward_amount=None,
            reward_rate=Decimal("0.05"),
        )
        referral = _win(world, submit(program, make_referrer(program)), amount="12345.67")
        assert Reward.objects.get(referral=referral).amount == Decimal("617.28")

    def test_percent_of_first_year_value(self, world: World) -> None:
        program = make_program(
            reward_kind=Program.RewardKind.PERCENT_FIRST_YEAR,
            reward_amount=None,
            reward_rate=Decimal("0.10"),
        )
        referral = submit(program, make_referrer(program))
        funnel.advance(
            actor=world.users["compadmin"],
            referral_id=referral.pk,
            update=funnel.StageUpdate(
                stage="won", deal_amount=Decimal("1000"), first_year_amount=Decimal("12000")
            ),
        )
        compute_rewards(program)
        assert Reward.objects.get(referral=referral).amount == Decimal("1200.00")

    def test_tiers_by_successful_referrals(self, world: World) -> None:
        program = make_program()
        programs.set_tiers(
            actor=world.users["compadmin"],
            program=program,
            tiers=[(2, Decimal("250.00"), None)],
        )
        referrer = make_referrer(program)
        first = _win(world, submit(program, referrer))
        second = _win(world, submit(program, referrer))
        assert Reward.objects.get(referral=first).amount == Decimal("100.00")
        assert Reward.objects.get(referral=second).amount == Decimal("250.00")

    def test_double_sided(self, world: World) -> None:
        program = make_program(referee_reward_amount=Decimal("50"))
        referral = _win(world, submit(program, make_referrer(program)))
        assert dict(Reward.objects.filter(referral=referral).values_list("side", "amount")) == {
            "referrer": Decimal("100.00"),
            "referee": Decimal("50.00"),
        }

    def test_budget_cap(self, world: World) -> None:
        program = make_program(budget_amount=Decimal("150"))
        referrer = make_referrer(program)
        _win(world, submit(program, referrer))
        second = _win(world, submit(program, referrer))
        third = _win(world, submit(program, referrer))
        assert Reward.objects.get(referral=second).amount == Decimal("50.00")
        assert not Reward.objects.filter(referral=third).exists()

    def test_trigger_qualified(self, world: World) -> None:
        program = make_program(trigger=Program.Trigger.QUALIFIED)
        referral = submit(program, make_referrer(program))
        funnel.advance(
            actor=world.users["compadmin"],
            referral_id=referral.pk,
            update=funnel.StageUpdate(stage="qualified"),
        )
        compute_rewards(program)
        assert Reward.objects.filter(referral=referral).exists()

    def test_trigger_invoice_paid(self, world: World) -> None:
        program = make_program(trigger=Program.Trigger.PAID)
        referral = _win(world, submit(program, make_referrer(program)))
        assert not Reward.objects.exists()
        funnel.advance(
            actor=world.users["compadmin"],
            referral_id=referral.pk,
            update=funnel.StageUpdate(stage="paid"),
        )
        compute_rewards(program)
        assert Reward.objects.filter(referral=referral).exists()

    def test_stages_only_move_forward(self, world: World) -> None:
        program = make_program()
        referral = _win(world, submit(program, make_referrer(program)))
        with pytest.raises(InvalidTransition):
            funnel.advance(
                actor=world.users["compadmin"],
                referral_id=referral.pk,
                update=funnel.StageUpdate(stage="lead"),
            )

    def test_holding_period_then_approve_then_pay(self, world: World) -> None:
        program = make_program(holding_days=14)
        referral = _win(world, submit(program, make_referrer(program)))
        reward = Reward.objects.get(referral=referral)
        finance = world.users["finance"]
        with pytest.raises(InvalidTransition, match="holding period"):
            rewards.approve_reward(actor=finance, reward_id=reward.pk)
        later = timezone.localdate() + timedelta(days=14)
        rewards.approve_reward(actor=finance, reward_id=reward.pk, today=later)
        rewards.mark_paid(actor=finance, reward_id=reward.pk)
        referral.refresh_from_db()
        reward.refresh_from_db()
        assert (reward.status, referral.status) == (Reward.Status.PAID, Referral.Status.REWARDED)
        assert reward.history.count() == 3

    def test_approve_due_rewards_skips_flagged(self, world: World) -> None:
        program = make_program()
        clean = _win(world, submit(program, make_referrer(program)))
        flagged = _win(world, submit(program, make_referrer(program)))
        funnel.review(actor=world.users["compadmin"], referral_id=flagged.pk, approve=True)
        Referral.objects.filter(pk=flagged.pk).update(status=Referral.Status.FLAGGED)
        count = rewards.approve_due_rewards(actor=world.users["finance"])
        assert count == 1
        assert Reward.objects.get(referral=clean).status == Reward.Status.APPROVED
        assert Reward.objects.get(referral=flagged).status == Reward.Status.HELD

    def test_every_change_is_audited(self, world: World) -> None:
        program = make_program()
        referral = _win(world, submit(program, make_referrer(program)))
        stages = list(referral.history.order_by("history_id").values_list("stage", flat=True))
        assert stages == ["submitted", "lead", "qualified", "opportunity", "won"]
