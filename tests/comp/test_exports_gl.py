"""The GL accrual journal books the period's approved adjustments (manual, dispute, retro and
referral rewards), each as its own traceable, balanced entry, on the policy's accounts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from openspm.comp.models import AccountingPolicy, Adjustment, CalcRun
from openspm.comp.services import exports, referral_ledger
from openspm.comp.services.adjustments import create_adjustment, decide_adjustment
from openspm.org.models import Period
from tests.comp.test_approvals_factories import add_earning, add_payout, make_run, period, publish
from tests.factories import World

D = Decimal
pytestmark = pytest.mark.django_db


def _manual(world: World, on: Period, name: str, amount: str, approve: bool | None) -> Adjustment:
    """A manual adjustment by the comp admin, approved or rejected by finance (None: pending)."""
    adjustment = create_adjustment(
        actor=world.users["compadmin"],
        person=world.people[name],
        period=on,
        amount=D(amount),
        currency="USD",
        reason_code="wrong_rate",
        description="Rate table fixed",
    )
    if approve is not None:
        decide_adjustment(
            actor=world.users["finance"],
            adjustment_id=adjustment.pk,
            approve=approve,
            comment="" if approve else "Not agreed",
        )
    adjustment.refresh_from_db()
    return adjustment


def _system(world: World, on: Period, name: str, amount: str, source: str) -> Adjustment:
    """An approved line the comp services post themselves (a dispute resolution, a retro
    difference), as those services save it."""
    return Adjustment.objects.create(
        person=world.people[name],
        period=on,
        amount=D(amount),
        currency="USD",
        reason_code=Adjustment.Reason.PRIOR_PERIOD
        if source == Adjustment.Source.RETRO
        else Adjustment.Reason.MISSING_CREDIT,
        description=f"{source} line",
        source=source,
        status=Adjustment.Status.APPROVED,
        created_by=world.users["compadmin"],
        decided_by=world.users["finance"],
    )


def _referral(world: World, name: str, amount: str, reward_id: int, on: date) -> Adjustment:
    return referral_ledger.post_referral_reward(
        actor=world.users["finance"],
        reference=f"referral-reward-{reward_id}",
        person=world.people[name],
        amount=D(amount),
        currency="USD",
        on=on,
        description="Employee referrals: referral of Blue Labs",
        plan_code="referral-employees",
        component_id="referrer_reward",
        transaction_ref="DEAL-9",
    )


@pytest.fixture
def q1(world: World) -> CalcRun:
    """Q1 published: rep1 earned 10,000.00 and was paid 8,000.00 (2,000.00 held)."""
    run = make_run(period("2026-Q1"))
    add_earning(run, world.people["rep1"], "10000.00")
    add_payout(run, world.people["rep1"], "8000.00", held="2000.00")
    return publish(world, run)


@pytest.fixture
def q1_adjustments(world: World, q1: CalcRun) -> dict[str, Adjustment]:
    """Every kind of approved adjustment in Q1, and some that must stay out of the journal."""
    on = q1.period
    made = {
        "bonus": _manual(world, on, "rep1", "250.00", True),
        "recovery": _manual(world, on, "rep2", "-75.50", True),
        "dispute": _system(world, on, "rep1", "350.00", Adjustment.Source.DISPUTE),
        "retro": _system(world, on, "rep2", "120.25", Adjustment.Source.RETRO),
        "referral": _referral(world, "rep1", "1000.00", 7, date(2026, 2, 15)),
    }
    _manual(world, on, "rep1", "999.00", False)  # rejected
    _manual(world, on, "rep2", "888.00", None)  # pending
    _manual(world, period("2026-Q2"), "rep1", "777.00", True)  # another period
    return made


def _balanced(lines: list[exports.JournalLine]) -> Decimal:
    """Debits equal credits in each currency; the total debits."""
    for currency in {line.currency for line in lines}:
        mine = [line for line in lines if line.currency == currency]
        assert sum(line.debit for line in mine) == sum(line.credit for line in mine)
    return sum((line.debit for line in lines), D(0))


class TestAdjustmentsInTheAccrualJournal:
    def test_each_approved_adjustment_is_its_own_entry(
        self, world: World, q1_adjustments: dict[str, Adjustment]
    ) -> None:
        lines = exports.accrual_journal(viewer=world.users["finance"], period_key="2026-Q1")
        got = [(line.payee_id, line.account, line.debit, line.credit) for line in lines]
        assert got == [
            ("REP1", "6100 Commission expense", D("10000.00"), D("0.00")),
            ("REP1", "2110 Commissions payable", D("0.00"), D("8000.00")),
            ("REP1", "2100 Accrued commissions", D("0.00"), D("2000.00")),
            # adjustments, by payee then in the order they were made
            ("REP1", "6100 Commission expense", D("250.00"), D("0.00")),
            ("REP1", "2110 Commissions payable", D("0.00"), D("250.00")),
            ("REP1", "6100 Commission expense", D("350.00"), D("0.00")),
            ("REP1", "2110 Commissions payable", D("0.00"), D("350.00")),
            ("REP1", "6150 Referral reward expense", D("1000.00"), D("0.00")),
            ("REP1", "2110 Commissions payable", D("0.00"), D("1000.00")),
            ("REP2", "6100 Commission expense", D("0.00"), D("75.50")),  # a recovery
            ("REP2", "2110 Commissions payable", D("75.50"), D("0.00")),
            ("REP2", "6100 Commission expense", D("120.25"), D("0.00")),
            ("REP2", "2110 Commissions payable", D("0.00"), D("120.25")),
        ]
        assert {line.date for line in lines} == {date(2026, 3, 31)}
        assert all(type(line.debit) is type(line.credit) is Decimal for line in lines)
        # 10,000 earned + 250 + 350 + 1,000 + 75.50 (recovery, on the payable side) + 120.25
        assert _balanced(lines) == D("11795.75")

    def test_each_line_names_its_adjustment(
        self, world: World, q1_adjustments: dict[str, Adjustment]
    ) -> None:
        lines = exports.accrual_journal(viewer=world.users["finance"], period_key="2026-Q1")
        referenced = [line for line in lines if line.reference]
        referral = q1_adjustments["referral"]
        assert [line.reference for line in referenced] == [
            f"adjustment-{q1_adjustments[name].pk}{suffix}"
            for name, suffix in (
                ("bonus", ""),
                ("dispute", ""),
                ("referral", " referral-reward-7"),
                ("recovery", ""),
                ("retro", ""),
            )
            for _ in range(2)  # the debit and the credit of one entry
        ]
        assert referral.reference == "referral-reward-7"
        referral_lines = [line for line in lines if line.reference.endswith("referral-reward-7")]
        assert {line.memo for line in referral_lines} == {
            "2026-Q1 adjustment of Rep1 Test (referral reward): "
            "Employee referrals: referral of Blue Labs"
        }
        assert "(prior-period recalculation)" in referenced[-1].memo
        assert not any(line.reference for line in lines[:3])  # the run's earned vs paid

    def test_matches_what_payroll_pays_for_adjustments(
        self, world: World, q1_adjustments: dict[str, Adjustment]
    ) -> None:
        lines = exports.accrual_journal(viewer=world.users["finance"], period_key="2026-Q1")
        payroll = exports.payroll_rows(viewer=world.users["finance"], period_key="2026-Q1")
        booked: dict[str, Decimal] = {}
        for line in lines:
            if line.reference and line.account.startswith("2110"):
                booked[line.payee_id] = booked.get(line.payee_id, D(0)) + line.credit - line.debit
        paid: dict[str, Decimal] = {}
        for row in payroll:
            if row.earning_code != "COMM":
                paid[row.payee_id] = paid.get(row.payee_id, D(0)) + row.amount
        assert booked == paid == {"REP1": D("1600.00"), "REP2": D("44.75")}

    def test_accounts_come_from_the_policy(
        self, world: World, q1_adjustments: dict[str, Adjustment]
    ) -> None:
        AccountingPolicy.objects.create(
            expense_account="5000 Sales comp",
            referral_expense_account="5050 Referral programme",
            payable_account="2400 Payroll liability",
            accrued_account="2410 Accrued sales comp",
        )
        lines = exports.accrual_journal(viewer=world.users["finance"], period_key="2026-Q1")
        assert {line.account for line in lines} == {
            "5000 Sales comp",
            "5050 Referral programme",
            "2400 Payroll liability",
            "2410 Accrued sales comp",
        }
        assert [line.account for line in lines if "referral-reward" in line.reference] == [
            "5050 Referral programme",
            "2400 Payroll liability",
        ]
        _balanced(lines)

    def test_a_year_books_the_adjustments_of_its_published_quarters(
        self, world: World, q1_adjustments: dict[str, Adjustment]
    ) -> None:
        q2 = make_run(period("2026-Q2"))
        add_earning(q2, world.people["rep1"], "500.00")
        add_payout(q2, world.people["rep1"], "500.00")
        publish(world, q2)
        _manual(world, period("2026-Q3"), "rep2", "60.00", True)  # Q3 has no published run
        lines = exports.accrual_journal(viewer=world.users["finance"], period_key="2026")
        adjustment_lines = [line for line in lines if line.reference]
        assert len(adjustment_lines) == 2 * 6  # Q1's five and Q2's 777.00
        assert [(line.date, line.debit) for line in adjustment_lines[-2:]] == [
            (date(2026, 6, 30), D("777.00")),
            (date(2026, 6, 30), D("0.00")),
        ]
        assert _balanced(lines) == D("11795.75") + D("500.00") + D("777.00")

    def test_sub_cent_amounts_are_booked_to_the_cent_and_still_balance(
        self, world: World, q1: CalcRun
    ) -> None:
        _manual(world, q1.period, "rep3", "10.005", True)
        _manual(world, q1.period, "rep3", "-0.004", True)  # rounds to nothing: left out
        lines = exports.accrual_journal(viewer=world.users["finance"], period_key="2026-Q1")
        rep3 = [(line.debit, line.credit) for line in lines if line.payee_id == "REP3"]
        assert rep3 == [(D("10.00"), D("0.00")), (D("0.00"), D("10.00"))]  # half to even
        _balanced(lines)

    def test_csv_carries_the_reference(
        self, world: World, q1_adjustments: dict[str, Adjustment]
    ) -> None:
        text = exports.export_csv(
            viewer=world.users["finance"], kind="accruals", period_key="2026-Q1"
        )
        pk = q1_adjustments["referral"].pk
        assert (
            "2026-03-31,6150 Referral reward expense,1000.00,0.00,USD,REP1,"
            "2026-Q1 adjustment of Rep1 Test (referral reward): "
            f"Employee referrals: referral of Blue Labs,adjustment-{pk} referral-reward-7"
        ) in text.splitlines()
        assert text.splitlines()[0].endswith(",memo,reference")

    def test_without_adjustments_the_journal_is_earned_vs_paid_only(
        self, world: World, q1: CalcRun
    ) -> None:
        lines = exports.accrual_journal(viewer=world.users["finance"], period_key="2026-Q1")
        assert [line.account[:4] for line in lines] == ["6100", "2110", "2100"]
        assert _balanced(lines) == D("10000.00")


class TestCapitalizationJournalAccounts:
    def test_accounts_come_from_the_policy(self, world: World) -> None:
        run = make_run(period("2026-Q1"))
        add_earning(run, world.people["rep1"], "1200.00", transaction_ref="G9")
        add_payout(run, world.people["rep1"], "1200.00")
        publish(world, run)
        AccountingPolicy.objects.create(
            benefit_months=24,
            practical_expedient=False,
            expense_account="5000 Sales comp",
            accrued_account="2410 Accrued sales comp",
            asset_account="1500 Contract costs",
        )
        lines = exports.capitalization_journal(viewer=world.users["finance"], period_key="2026-Q1")
        assert [line.account for line in lines[:4]] == [
            "1500 Contract costs",
            "2410 Accrued sales comp",
            "5000 Sales comp",
            "1500 Contract costs",
        ]
        assert _balanced(lines) == D("1200.00") * 2
