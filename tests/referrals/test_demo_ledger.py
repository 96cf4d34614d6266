"""The referral demo's employee program: employees with a login refer, their released rewards
are approved and posted to the comp ledger, and the rep's statement and the exports show them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from openspm.comp.models import Adjustment
from openspm.comp.selectors import statements as statement_selectors
from openspm.comp.services import exports
from openspm.referrals.models import Program, Referral, Reward
from openspm.referrals.services import demo
from tests.comp.test_approvals_factories import add_earning, add_payout, make_run, period, publish
from tests.factories import World

D = Decimal
TODAY = date(2026, 11, 24)  # in 2026-Q4
pytestmark = pytest.mark.django_db


@pytest.fixture
def summary(world: World) -> demo.DemoSummary:
    """Q4 of 2026 published (rep1 earned 5,000.00), then the referral demo as of TODAY."""
    run = make_run(period("2026-Q4"))
    add_earning(run, world.people["rep1"], "5000.00")
    add_payout(run, world.people["rep1"], "5000.00")
    publish(world, run)
    return demo.load(today=TODAY)


def _employee_program() -> Program:
    return Program.objects.get(kind=Program.Kind.EMPLOYEE)


class TestEmployeeProgram:
    def test_referrers_are_employees_with_a_login(
        self, world: World, summary: demo.DemoSummary
    ) -> None:
        program = _employee_program()
        referrers = list(program.referrers.order_by("pk"))
        assert [r.person for r in referrers][:3] == [
            world.people[n] for n in ("rep1", "rep2", "rep3")
        ]
        assert all(r.person and r.user and r.user == r.person.user for r in referrers)
        assert len(referrers) == 6  # three reps, two managers and the VP of the test world
        assert summary.programs == 3

    def test_released_rewards_are_approved_and_posted_to_the_ledger(
        self, world: World, summary: demo.DemoSummary
    ) -> None:
        rep1 = world.people["rep1"]
        rewards = list(
            Reward.objects.filter(program=_employee_program(), payee=rep1).order_by("pk")
        )
        assert [(r.amount, r.status, r.ledger_line_id is not None) for r in rewards] == [
            (D("1000.00"), Reward.Status.APPROVED, True),
            (D("1000.00"), Reward.Status.APPROVED, True),
            (D("1500.00"), Reward.Status.HELD, False),  # third success, won 9 days ago: held
        ]
        assert rewards[2].release_on == TODAY - timedelta(days=9) + timedelta(days=30)
        lines = Adjustment.objects.filter(person=rep1, source=Adjustment.Source.REFERRAL)
        assert [(a.period.key, a.amount, a.status) for a in lines.order_by("pk")] == [
            ("2026-Q4", D("1000.0000"), Adjustment.Status.APPROVED),
            ("2026-Q4", D("1000.0000"), Adjustment.Status.APPROVED),
        ]
        assert {a.reference for a in lines} == {
            f"referral-reward-{r.pk}" for r in rewards if r.ledger_line_id is not None
        }
        assert summary.posted == Adjustment.objects.filter(source="referral").count() == 3
        # paid through payroll, so never marked paid by hand
        assert not Reward.objects.filter(ledger_line__isnull=False, status="paid").exists()

    def test_the_rep_statement_shows_the_referral_rewards(
        self, world: World, summary: demo.DemoSummary
    ) -> None:
        statement = statement_selectors.get_statement(
            viewer=world.users["rep1"], person_id=world.people["rep1"].pk, period_key="2026-Q4"
        )
        assert [a.description for a in statement.referral_rewards] == [
            "Employee referrals: referral of Kestrel Freight",
            "Employee referrals: referral of Wren Dental",
        ]
        assert [(m.amount, m.currency) for m in statement.referral_totals] == [
            (D("2000.00"), "USD")
        ]
        assert [(m.amount, m.currency) for m in statement.total_due] == [(D("7000.00"), "USD")]

    def test_payroll_and_gl_journal_carry_them(
        self, world: World, summary: demo.DemoSummary
    ) -> None:
        payroll = exports.payroll_rows(viewer=world.users["finance"], period_key="2026-Q4")
        assert ("REP1", "REFERRAL", D("2000.00")) in [
            (r.payee_id, r.earning_code, r.amount) for r in payroll
        ]
        journal = exports.accrual_journal(viewer=world.users["finance"], period_key="2026-Q4")
        referral = [line for line in journal if "referral-reward-" in line.reference]
        assert sum(line.debit for line in referral) == sum(line.credit for line in referral)
        assert sum(
            line.debit for line in referral if line.account == "6150 Referral reward expense"
        ) == D("3000.00")  # rep1 2,000 and rep2 1,000
        assert sum(line.debit for line in journal) == sum(line.credit for line in journal)

    def test_funnel_of_the_employee_referrals(self, summary: demo.DemoSummary) -> None:
        stages = sorted(
            Referral.objects.filter(program=_employee_program()).values_list("stage", flat=True)
        )
        assert stages == ["lost", "opportunity", "qualified", "won", "won", "won", "won"]
        assert not Referral.objects.filter(
            program=_employee_program(), status=Referral.Status.FLAGGED
        ).exists()


def test_without_employees_with_a_login_there_is_no_employee_program(world: World) -> None:
    for person in world.people.values():
        person.user = None
        person.save(update_fields=["user"])
    summary = demo.load(today=TODAY)
    assert summary.programs == 2
    assert summary.posted == 0
    assert not Program.objects.filter(kind=Program.Kind.EMPLOYEE).exists()
