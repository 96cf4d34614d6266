"""Referral rewards through the engine and into the comp ledger: the referral plan a program
compiles to, the rewards it computes, posting approved rewards (once, never flagged ones), the
statement section and the payroll export, the scheduled housekeeping and absolute links."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from openspm import engine
from openspm.comp.models import Adjustment, CalcRun
from openspm.comp.selectors import statements
from openspm.comp.services import exports, referral_ledger
from openspm.org.models import Period
from openspm.referrals import tasks
from openspm.referrals.errors import InvalidTransition, RewardRulesInvalid
from openspm.referrals.models import HousekeepingRun, Program, ProgramTier, Referral, Reward
from openspm.referrals.services import (
    campaigns,
    funnel,
    housekeeping,
    programs,
    reward_plan,
    rewards,
)
from tests.comp.test_approvals_factories import add_payout, make_run, period, publish
from tests.factories import World, make_transaction
from tests.referrals.factories import compute_rewards, make_program, make_referrer, submit

pytestmark = pytest.mark.django_db
D = Decimal
WON_AT = datetime(2026, 2, 10, 12, tzinfo=UTC)
APPROVED_ON = date(2026, 2, 20)


def _win(world: World, referral: Referral, amount: str = "10000.00", **extra: object) -> Referral:
    admin = world.users["compadmin"]
    deal = str(extra.pop("deal", ""))
    if deal:
        make_transaction(owner=world.people["rep3"], external_id=deal, amount=D(amount))
    won = funnel.advance(
        actor=admin,
        referral_id=referral.pk,
        update=funnel.StageUpdate(
            stage="won",
            at=WON_AT,
            deal_amount=D(amount),
            deal_external_id=deal,
            **extra,  # type: ignore[arg-type]
        ),
    )
    compute_rewards(won.program)
    return won


def _approved(world: World, referral: Referral) -> Reward:
    reward = Reward.objects.get(referral=referral, side=Reward.Side.REFERRER)
    return rewards.approve_reward(
        actor=world.users["finance"], reward_id=reward.pk, today=APPROVED_ON
    )


class TestReferralPlan:
    def test_a_rate_program_with_tiers_and_a_referee_reward(self) -> None:
        program = Program(
            slug="partner-deals",
            name="Partners' deals",
            currency="EUR",
            reward_kind=Program.RewardKind.PERCENT_FIRST_DEAL,
            reward_rate=D("0.1000000000"),
            referee_reward_amount=D("250.0000"),
        )
        tiers = [ProgramTier(min_successes=5, reward_rate=D("0.12"))]
        loaded = engine.load_plan_text(reward_plan.plan_text(program, tiers))
        plan = loaded.plan
        assert (plan.kind, plan.id, plan.currency) == ("referral", "referral_partner_deals", "EUR")
        assert [(c.id, c.kind, c.filter) for c in plan.components] == [
            ("referrer_reward", "commission", "side == 'referrer' and referral_count < 5"),
            ("referrer_tier_5", "commission", "side == 'referrer' and referral_count >= 5"),
            ("referee_reward", "spiff", "side == 'referee'"),
        ]
        assert [getattr(c, "rate", None) for c in plan.components] == [D("0.1"), D("0.12"), None]

    def test_a_fixed_program_pays_a_spiff_and_first_year_uses_its_measure(self) -> None:
        fixed = Program(slug="f", name="F", reward_kind="fixed", reward_amount=D("100"))
        first_year = Program(
            slug="y", name="Y", reward_kind="percent_first_year", reward_rate=D("0.05")
        )
        spiff = engine.load_plan_text(reward_plan.plan_text(fixed, [])).plan.components[0]
        commission = engine.load_plan_text(reward_plan.plan_text(first_year, [])).plan.components
        assert (spiff.kind, spiff.amount) == ("spiff", D("100"))  # type: ignore[union-attr]
        assert commission[0].measure == "first_year_value"  # type: ignore[union-attr]

    def test_a_tier_from_the_first_success_replaces_the_program_rule(self) -> None:
        program = Program(slug="t", name="T", reward_kind="fixed", reward_amount=D("100"))
        tiers = [ProgramTier(min_successes=1, reward_amount=D("80"))]
        plan = engine.load_plan_text(reward_plan.plan_text(program, tiers)).plan
        assert [(c.id, c.amount) for c in plan.components] == [("referrer_reward", D("80"))]  # type: ignore[union-attr]

    def test_rules_the_plan_language_refuses_are_refused_when_saved(self, world: World) -> None:
        program = Program(
            slug="odd",
            name="Odd",
            kind=Program.Kind.PARTNER,
            reward_kind=Program.RewardKind.PERCENT_FIRST_DEAL,
            reward_rate=D("0.0512345678"),  # 10 places: plans allow 6
        )
        with pytest.raises(RewardRulesInvalid, match="decimal places"):
            programs.save_program(actor=world.users["compadmin"], program=program)
        assert not Program.objects.exists()

    def test_rules_broken_after_the_trigger_stop_the_computation(self, world: World) -> None:
        program = make_program(
            reward_kind=Program.RewardKind.PERCENT_FIRST_DEAL,
            reward_amount=None,
            reward_rate=D("0.05"),
        )
        referral = submit(program, make_referrer(program))
        Program.objects.filter(pk=program.pk).update(reward_rate=D("0.0512345678"))
        with pytest.raises(RewardRulesInvalid, match="decimal places"):
            _win(world, referral)
        assert not Reward.objects.exists()


class TestRewardsFromTheEngine:
    def test_rate_of_the_first_deal_rounded_once_with_its_trace(self, world: World) -> None:
        program = make_program(
            reward_kind=Program.RewardKind.PERCENT_FIRST_DEAL,
            reward_amount=None,
            reward_rate=D("0.10"),
        )
        referral = _win(world, submit(program, make_referrer(program)), amount="12345.65")
        reward = Reward.objects.get(referral=referral)
        assert reward.amount == D("1234.57")  # 1,234.565 rounded half up, once
        assert (reward.rule, reward.plan_code) == ("referrer_reward", reward_plan.plan_id(program))
        assert len(reward.plan_fingerprint) == len(reward.run_fingerprint) == 64

    def test_tiers_by_number_of_successes_and_the_referee_side(self, world: World) -> None:
        program = make_program(
            reward_kind=Program.RewardKind.PERCENT_FIRST_DEAL,
            reward_amount=None,
            reward_rate=D("0.10"),
            referee_reward_amount=D("250"),
        )
        programs.set_tiers(
            actor=world.users["compadmin"], program=program, tiers=[(3, None, D("0.12"))]
        )
        referrer = make_referrer(program)
        made = [_win(world, submit(program, referrer), amount="1000") for _ in range(3)]
        got = [
            sorted(Reward.objects.filter(referral=r).values_list("side", "rule", "amount"))
            for r in made
        ]
        assert got == [
            [
                ("referee", "referee_reward", D("250.00")),
                ("referrer", "referrer_reward", D("100.00")),
            ],
            [
                ("referee", "referee_reward", D("250.00")),
                ("referrer", "referrer_reward", D("100.00")),
            ],
            [
                ("referee", "referee_reward", D("250.00")),
                ("referrer", "referrer_tier_3", D("120.00")),
            ],
        ]

    def test_the_budget_still_caps_the_engine_amounts(self, world: World) -> None:
        program = make_program(reward_amount=D("100"), budget_amount=D("150"))
        referrer = make_referrer(program)
        amounts = [
            list(
                Reward.objects.filter(referral=_win(world, submit(program, referrer))).values_list(
                    "amount", flat=True
                )
            )
            for _ in range(3)
        ]
        assert amounts == [[D("100.00")], [D("50.00")], []]


class TestTheComputationIsAJob:
    def test_the_trigger_queues_the_task_and_the_request_computes_nothing(
        self, world: World, django_capture_on_commit_callbacks: object
    ) -> None:
        program = make_program()
        referral = submit(program, make_referrer(program))
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            funnel.advance(
                actor=world.users["compadmin"],
                referral_id=referral.pk,
                update=funnel.StageUpdate(stage="won", deal_amount=D("10")),
            )
        assert not Reward.objects.exists()
        queued = DBTaskResult.objects.get(task_path__endswith="compute_referral_rewards")
        assert queued.args_kwargs["args"] == [program.pk]
        assert tasks.compute_referral_rewards.call(program.pk) == 1
        assert tasks.compute_referral_rewards.call(program.pk) == 0  # safe to run twice
        assert Reward.objects.count() == 1

    def test_one_batch_counts_successes_in_trigger_order(self, world: World) -> None:
        program = make_program()
        programs.set_tiers(
            actor=world.users["compadmin"], program=program, tiers=[(2, D("250"), None)]
        )
        referrer = make_referrer(program)
        later, earlier = submit(program, referrer), submit(program, referrer)
        for referral, day in ((later, 20), (earlier, 5)):
            funnel.advance(
                actor=world.users["compadmin"],
                referral_id=referral.pk,
                update=funnel.StageUpdate(stage="won", at=WON_AT.replace(day=day)),
            )
        made = rewards.compute_due_rewards(program_id=program.pk)
        assert [(r.referral_id, r.amount, r.rule) for r in made] == [
            (earlier.pk, D("100.00"), "referrer_reward"),
            (later.pk, D("250.00"), "referrer_tier_2"),
        ]
        assert len({r.run_fingerprint for r in made}) == 1  # one engine run


class TestLedger:
    def test_an_approved_reward_posts_one_ledger_line_with_its_trace(self, world: World) -> None:
        q1 = period("2026-Q1")
        program = make_program(name="Employee referrals")
        referrer = make_referrer(program, person=world.people["rep1"])
        referral = _win(world, submit(program, referrer, company="Acme"), deal="D-1")
        reward = _approved(world, referral)
        line = Adjustment.objects.get()
        assert reward.ledger_line_id == line.pk
        assert (line.person, line.period, line.amount, line.currency) == (
            world.people["rep1"],
            q1,
            D("100.00"),
            "USD",
        )
        assert (line.source, line.status, line.reason_code) == (
            "referral",
            "approved",
            "referral_reward",
        )
        assert (line.plan_code, line.component_id, line.transaction_ref) == (
            reward_plan.plan_id(program),
            "referrer_reward",
            "D-1",
        )
        assert line.trace["referral_id"] == referral.pk
        assert line.trace["run_fingerprint"] == reward.run_fingerprint
        assert line.reference == f"referral-reward-{reward.pk}"

    def test_posting_twice_posts_once(self, world: World) -> None:
        period("2026-Q1")
        program = make_program()
        referral = _win(world, submit(program, make_referrer(program, person=world.people["rep2"])))
        reward = _approved(world, referral)
        Reward.objects.filter(pk=reward.pk).update(ledger_line=None)  # as if the link were lost
        reward.refresh_from_db()
        assert rewards.post_to_ledger(reward=reward, actor=world.users["finance"], on=APPROVED_ON)
        assert rewards.post_approved_rewards(today=APPROVED_ON) == 0
        again = referral_ledger.post_referral_reward(
            actor=world.users["finance"],
            reference=rewards.ledger_reference(reward),
            person=world.people["rep2"],
            amount=D("999"),
            currency="USD",
            on=APPROVED_ON,
            description="again",
            plan_code="x",
            component_id="y",
        )
        assert Adjustment.objects.count() == 1
        assert again.amount == D("100.00")

    def test_nothing_flagged_is_posted(self, world: World) -> None:
        period("2026-Q1")
        program = make_program()
        referrer = make_referrer(program, person=world.people["rep1"], email="me@acme.example")
        flagged = _win(world, submit(program, referrer, email="me@acme.example"))
        assert flagged.status == Referral.Status.FLAGGED
        assert not Reward.objects.exists()
        # A reward approved before its referral was flagged (say by a late fraud signal).
        clean = _win(world, submit(program, referrer))
        Reward.objects.filter(referral=clean).update(status=Reward.Status.APPROVED)
        Referral.objects.filter(pk=clean.pk).update(status=Referral.Status.FLAGGED)
        assert rewards.post_approved_rewards(today=APPROVED_ON) == 0
        assert not Adjustment.objects.exists()

    def test_the_holding_period_still_applies(self, world: World) -> None:
        period("2026-Q1")
        program = make_program(holding_days=30)
        referral = _win(world, submit(program, make_referrer(program, person=world.people["rep1"])))
        with pytest.raises(InvalidTransition, match="holding period"):
            _approved(world, referral)
        assert not Adjustment.objects.exists()

    def test_referee_rewards_stay_out_of_the_ledger(self, world: World) -> None:
        period("2026-Q1")
        program = make_program(referee_reward_amount=D("50"))
        referral = _win(world, submit(program, make_referrer(program, person=world.people["rep1"])))
        rewards.approve_due_rewards(actor=world.users["finance"], today=APPROVED_ON)
        assert Reward.objects.filter(status=Reward.Status.APPROVED).count() == 2
        assert [(a.person_id, a.amount) for a in Adjustment.objects.all()] == [
            (world.people["rep1"].pk, D("100.00"))
        ]
        assert Reward.objects.get(referral=referral, side="referee").ledger_line is None

    def test_an_external_referrer_is_posted_once_given_a_payee_record(self, world: World) -> None:
        period("2026-Q1")
        program = make_program(currency="EUR")
        referrer = make_referrer(program, name="Northwind Resellers")
        referral = _win(world, submit(program, referrer))
        reward = _approved(world, referral)
        assert reward.ledger_line is None
        assert rewards.post_approved_rewards(today=APPROVED_ON) == 0
        person = programs.give_payee_record(
            actor=world.users["compadmin"], referrer_id=referrer.pk, on=APPROVED_ON
        )
        assert (person.external_id, person.currency) == (f"REF-{referrer.pk:05d}", "EUR")
        assert rewards.post_approved_rewards(today=APPROVED_ON) == 1
        assert Adjustment.objects.get().person == person
        again = programs.give_payee_record(actor=world.users["compadmin"], referrer_id=referrer.pk)
        assert again == person

    def test_a_closed_period_posts_into_the_next_open_one(self, world: World) -> None:
        q1 = period("2026-Q1")
        Period.objects.filter(pk=q1.pk).update(status=Period.Status.CLOSED)
        program = make_program()
        _approved(
            world, _win(world, submit(program, make_referrer(program, person=world.people["rep1"])))
        )
        assert Adjustment.objects.get().period.key == "2026-Q2"

    def test_without_an_open_period_approval_is_refused(self, world: World) -> None:
        program = make_program()
        referral = _win(world, submit(program, make_referrer(program, person=world.people["rep1"])))
        with pytest.raises(referral_ledger.NoOpenPeriod):
            _approved(world, referral)
        assert Reward.objects.get(referral=referral).status == Reward.Status.HELD


@pytest.fixture
def rewarded_q1(world: World) -> CalcRun:
    """A published Q1 run paying rep1 1,000.00, and rep1's approved referral reward of 100."""
    q1 = period("2026-Q1")
    run = make_run(q1)
    add_payout(run, world.people["rep1"], "1000.00")
    publish(world, run)
    program = make_program(name="Employee referrals")
    referrer = make_referrer(program, person=world.people["rep1"])
    _approved(world, _win(world, submit(program, referrer, company="Acme"), deal="D-9"))
    return run


class TestStatementAndExports:
    def test_the_statement_shows_the_reward_in_its_own_section(
        self, world: World, rewarded_q1: CalcRun, client: Client
    ) -> None:
        rep1 = world.people["rep1"]
        statement = statements.get_statement(
            viewer=world.users["rep1"], person_id=rep1.pk, period_key="2026-Q1"
        )
        assert [(a.amount, a.transaction_ref) for a in statement.referral_rewards] == [
            (D("100.00"), "D-9")
        ]
        assert statement.other_adjustments == []
        assert statement.referral_totals == [statements.Money(D("100.00"), "USD")]
        assert statement.total_due == [statements.Money(D("1100.00"), "USD")]
        client.force_login(world.users["rep1"])
        page = client.get(reverse("comp:statement", args=[rep1.pk, "2026-Q1"]))
        assert page.status_code == 200
        html = page.content.decode()
        assert 'data-testid="referral-rewards"' in html
        assert "D-9" in html
        assert "referrer_reward" in html

    def test_the_rewards_page_says_where_it_is_paid(
        self, world: World, rewarded_q1: CalcRun, client: Client
    ) -> None:
        client.force_login(world.users["finance"])
        page = client.get(reverse("referrals:rewards"))
        assert [w.ledger_line.period.key for w in page.context["rewards"]] == ["2026-Q1"]
        assert "comp ledger, 2026-Q1" in page.content.decode()

    def test_the_payroll_export_pays_it_under_its_own_code(
        self, world: World, rewarded_q1: CalcRun
    ) -> None:
        rows = exports.payroll_rows(viewer=world.users["finance"], period_key="2026-Q1")
        assert [(r.payee_id, r.amount, r.earning_code) for r in rows] == [
            ("REP1", D("1000.00"), "COMM"),
            ("REP1", D("100.00"), "REFERRAL"),
        ]


class TestHousekeeping:
    def test_the_daily_task_runs_once_a_day_and_queues_the_next(
        self, world: World, django_capture_on_commit_callbacks: object
    ) -> None:
        now = datetime(2026, 3, 1, 2, 5, tzinfo=UTC)
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            first = housekeeping.run_daily(now=now)
            second = housekeeping.run_daily(now=now + timedelta(hours=3))
        assert first["ran"] == 1
        assert second == {"ran": 0}
        assert HousekeepingRun.objects.get().ran_on == date(2026, 3, 1)
        queued = DBTaskResult.objects.filter(task_path__endswith="run_referral_housekeeping")
        assert [t.run_after for t in queued] == [datetime(2026, 3, 2, 2, tzinfo=UTC)]

    def test_it_posts_rewards_whose_referrer_got_a_payee(self, world: World) -> None:
        period(f"{timezone.localdate().year}-Q1")
        program = make_program()
        referrer = make_referrer(program)
        reward_referral = _win(world, submit(program, referrer))
        reward = Reward.objects.get(referral=reward_referral)
        rewards.approve_reward(actor=world.users["finance"], reward_id=reward.pk)
        programs.give_payee_record(actor=world.users["compadmin"], referrer_id=referrer.pk)
        assert housekeeping.run()["posted"] == 1
        assert housekeeping.run()["posted"] == 0

    def test_next_run_is_the_next_two_oclock_utc(self) -> None:
        assert housekeeping.next_run_at(datetime(2026, 3, 1, 1, 0, tzinfo=UTC)) == datetime(
            2026, 3, 1, 2, tzinfo=UTC
        )
        assert housekeeping.next_run_at(datetime(2026, 3, 1, 2, 0, tzinfo=UTC)) == datetime(
            2026, 3, 2, 2, tzinfo=UTC
        )


class TestSiteUrl:
    def test_links_in_emails_are_absolute(self, settings: object) -> None:
        settings.SITE_URL = "https://spm.example.com/app"  # type: ignore[attr-defined]
        program = make_program()
        referrer = make_referrer(program)
        message = campaigns.queue_message(kind="invitation", referrer=referrer)
        assert f"https://spm.example.com/app/r/c/{referrer.code}" in message.body
        assert "https://spm.example.com/app/r/unsubscribe/" in message.body
