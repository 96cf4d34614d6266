from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from openspm.comp import archive
from openspm.comp.models import AccountingPolicy, Adjustment, CalcRun
from openspm.comp.services import exports
from openspm.comp.services.adjustments import create_adjustment, decide_adjustment
from openspm.core.errors import OpenSPMError, PermissionDenied
from openspm.org.models import Period, Person
from tests.comp.factories import glossary_quarter, publish_ae_plan
from tests.comp.test_approvals_factories import add_earning, add_payout, make_run, period, publish
from tests.comp.test_statements import run_quarter
from tests.factories import World, make_transaction

D = Decimal


def _adjust(world: World, on: Period, name: str, amount: str, decide: bool | None) -> Adjustment:
    adjustment = create_adjustment(
        actor=world.users["compadmin"],
        person=world.people[name],
        period=on,
        amount=D(amount),
        currency="USD",
        reason_code="wrong_rate",
        description="Rate table fixed",
    )
    if decide is not None:
        decide_adjustment(
            actor=world.users["finance"],
            adjustment_id=adjustment.pk,
            approve=decide,
            comment="" if decide else "Not agreed",
        )
    return adjustment


@pytest.fixture
def q1_published(world: World) -> CalcRun:
    """Q1: rep1 16,000.00 commission + 300.00 spiff (USD), rep3 1,000.10 EUR; an older run
    (superseded) paid rep1 99,999.00 and must never show."""
    q1 = period("2026-Q1")
    old = make_run(q1)
    add_payout(old, world.people["rep1"], "99999.00")
    publish(world, old)
    run = make_run(q1)
    add_payout(run, world.people["rep1"], "16000.00")
    add_payout(run, world.people["rep1"], "300.00", component_id="spiff")
    add_payout(run, world.people["rep1"], "0.00", component_id="", line_type="rounding")
    add_payout(run, world.people["rep3"], "1000.10", currency="EUR")
    return publish(world, run)


@pytest.mark.django_db
class TestPayroll:
    def test_rows_per_payee_currency_and_earning_code(
        self, world: World, q1_published: CalcRun
    ) -> None:
        q1 = q1_published.period
        _adjust(world, q1, "rep1", "250.00", True)
        _adjust(world, q1, "rep1", "-50.25", True)
        _adjust(world, q1, "rep2", "75.00", True)
        _adjust(world, q1, "rep2", "1000.00", False)  # rejected: not paid
        _adjust(world, q1, "rep3", "500.00", None)  # pending: not paid
        _adjust(world, period("2026-Q2"), "rep1", "40.00", True)  # another period
        rows = exports.payroll_rows(viewer=world.users["finance"], period_key="2026-Q1")
        assert [(r.payee_id, r.amount, r.currency, r.earning_code) for r in rows] == [
            ("REP1", D("16300.00"), "USD", "COMM"),
            ("REP1", D("199.75"), "USD", "COMMADJ"),
            ("REP2", D("75.00"), "USD", "COMMADJ"),
            ("REP3", D("1000.10"), "EUR", "COMM"),
        ]
        assert {r.pay_date for r in rows} == {date(2026, 4, 15)}  # 31 March + 15 days
        assert all(type(r.amount) is Decimal for r in rows)

    def test_csv_has_exactly_two_decimals(self, world: World, q1_published: CalcRun) -> None:
        text = exports.export_csv(
            viewer=world.users["compadmin"], kind="payroll", period_key="2026-Q1"
        )
        assert text == (
            "payee_id,payee_name,amount,currency,pay_date,earning_code,period\n"
            "REP1,Rep1 Test,16300.00,USD,2026-04-15,COMM,2026-Q1\n"
            "REP3,Rep3 Test,1000.10,EUR,2026-04-15,COMM,2026-Q1\n"
        )

    def test_earning_codes_come_from_the_policy(self, world: World, q1_published: CalcRun) -> None:
        AccountingPolicy.objects.create(payroll_earning_code="E100", adjustment_earning_code="E101")
        _adjust(world, q1_published.period, "rep2", "10.00", True)
        rows = exports.payroll_rows(viewer=world.users["finance"], period_key="2026-Q1")
        assert {(r.payee_id, r.earning_code) for r in rows} == {
            ("REP1", "E100"),
            ("REP3", "E100"),
            ("REP2", "E101"),
        }

    def test_refused_without_a_published_run(self, world: World) -> None:
        make_run(period("2026-Q1"))
        with pytest.raises(exports.NotPublished, match="2026-Q1 has no published run"):
            exports.payroll_rows(viewer=world.users["finance"], period_key="2026-Q1")

    @pytest.mark.parametrize("role", ["vp", "manager1", "rep1", "partner"])
    def test_only_finance_comp_admins_and_administrators(
        self, world: World, q1_published: CalcRun, role: str
    ) -> None:
        for kind in exports.EXPORT_KINDS:
            with pytest.raises(PermissionDenied):
                exports.export_csv(viewer=world.users[role], kind=kind, period_key="2026-Q1")


@pytest.fixture
def accrual_runs(world: World) -> None:
    """Q1: rep1 earned 7,500 + 2,500 + 6,000 = 16,000, 12,000 released, 4,000 held;
    rep2 earned 2,500 and was paid 3,000 (a draw); rep3's EUR plan paid in USD.
    Q2: rep1 earned 1,000, paid 1,000."""
    q1 = make_run(period("2026-Q1"))
    rep1, rep2, rep3 = (world.people[n] for n in ("rep1", "rep2", "rep3"))
    add_earning(q1, rep1, "7500.00", transaction_ref="D1", tier="1")
    add_earning(q1, rep1, "2500.00", transaction_ref="D2", tier="1")
    add_earning(q1, rep1, "6000.00", transaction_ref="D2", tier="2")
    add_payout(q1, rep1, "12000.00", held="4000.00")
    add_earning(q1, rep2, "2500.00")
    add_payout(q1, rep2, "2500.00")
    add_payout(q1, rep2, "500.00", component_id="", line_type="draw")
    add_earning(q1, rep3, "100.00", currency="EUR")
    add_payout(q1, rep3, "108.50", plan_amount="100.00", plan_currency="EUR", currency="USD")
    publish(world, q1)
    q2 = make_run(period("2026-Q2"))
    add_earning(q2, rep1, "1000.00")
    add_payout(q2, rep1, "1000.00")
    publish(world, q2)


def _balanced(lines: list[exports.JournalLine]) -> None:
    for currency in {line.currency for line in lines}:
        mine = [line for line in lines if line.currency == currency]
        assert sum(line.debit for line in mine) == sum(line.credit for line in mine)


@pytest.mark.django_db
@pytest.mark.usefixtures("accrual_runs")
class TestAccrualJournal:
    def test_earned_vs_paid(self, world: World) -> None:
        rows = exports.accrual_rows(viewer=world.users["finance"], period_key="2026-Q1")
        assert [(r.payee_id, r.currency, r.earned, r.paid, r.held, r.accrual) for r in rows] == [
            ("REP1", "USD", D("16000.00"), D("12000.00"), D("4000.00"), D("4000.00")),
            ("REP2", "USD", D("2500.00"), D("3000.00"), D("0.00"), D("-500.00")),
            ("REP3", "EUR", D("100.00"), D("100.00"), D("0.00"), D("0.00")),
        ]

    def test_journal_lines_balance(self, world: World) -> None:
        lines = exports.accrual_journal(viewer=world.users["finance"], period_key="2026-Q1")
        got = [(line.payee_id, line.account[:4], line.debit, line.credit) for line in lines]
        assert got == [
            ("REP1", "6100", D("16000.00"), D("0.00")),
            ("REP1", "2110", D("0.00"), D("12000.00")),
            ("REP1", "2100", D("0.00"), D("4000.00")),
            ("REP2", "6100", D("2500.00"), D("0.00")),
            ("REP2", "2110", D("0.00"), D("3000.00")),
            ("REP2", "2100", D("500.00"), D("0.00")),  # paid ahead of earnings
            ("REP3", "6100", D("100.00"), D("0.00")),
            ("REP3", "2110", D("0.00"), D("100.00")),
        ]
        assert {line.date for line in lines} == {date(2026, 3, 31)}
        assert (
            sum(line.debit for line in lines) == sum(line.credit for line in lines) == D("19100.00")
        )
        _balanced(lines)

    def test_a_year_covers_its_quarters(self, world: World) -> None:
        rows = exports.accrual_rows(viewer=world.users["finance"], period_key="2026")
        assert [(r.period, r.payee_id, r.accrual) for r in rows] == [
            ("2026-Q1", "REP1", D("4000.00")),
            ("2026-Q1", "REP2", D("-500.00")),
            ("2026-Q1", "REP3", D("0.00")),
            ("2026-Q2", "REP1", D("0.00")),
        ]
        _balanced(exports.accrual_journal(viewer=world.users["finance"], period_key="2026"))

    def test_csv(self, world: World) -> None:
        text = exports.export_csv(
            viewer=world.users["admin"], kind="accruals", period_key="2026-Q2"
        )
        assert text.splitlines() == [
            "date,account,debit,credit,currency,payee_id,memo,reference",
            "2026-06-30,6100 Commission expense,1000.00,0.00,USD,REP1,"
            "2026-Q2 commissions of Rep1 Test: earned,",
            "2026-06-30,2110 Commissions payable,0.00,1000.00,USD,REP1,"
            "2026-Q2 commissions of Rep1 Test: paid,",
        ]

    def test_refused_without_a_published_run(self, world: World) -> None:
        with pytest.raises(exports.NotPublished):
            exports.accrual_rows(viewer=world.users["finance"], period_key="2026-Q3")


class TestAmortize:
    def test_glossary_example(self) -> None:
        months = exports.amortize(D("36000.00"), 36)
        assert months == [D("1000.00")] * 36
        assert sum(months[:12]) == D("12000.00")
        assert D("36000.00") - sum(months[:12]) == D("24000.00")

    def test_the_remainder_goes_to_the_last_month(self) -> None:
        months = exports.amortize(D("7500.00"), 36)
        assert months[:35] == [D("208.33")] * 35
        assert months[35] == D("208.45")
        assert sum(months) == D("7500.00")
        assert exports.amortize(D("100.00"), 3) == [D("33.33"), D("33.33"), D("33.34")]

    def test_at_least_one_month(self) -> None:
        with pytest.raises(ValueError, match="at least 1"):
            exports.amortize(D("1"), 0)


@pytest.fixture
def capitalizable(world: World) -> None:
    """rep1: G1 36,000 commission (booked 15 Jan 2026); D2 2,500 + 6,000 commission and a
    300 spiff (booked 10 Feb 2026); a 1,000 period bonus and a 200 MBO, not capitalised."""
    rep1 = world.people["rep1"]
    make_transaction(owner=rep1, amount=D("720000"), booked_on=date(2026, 1, 15), external_id="G1")
    make_transaction(owner=rep1, amount=D("100000"), booked_on=date(2026, 2, 10), external_id="D2")
    run = make_run(period("2026-Q1"))
    add_earning(run, rep1, "36000.00", transaction_ref="G1")
    add_earning(run, rep1, "2500.00", transaction_ref="D2", tier="1")
    add_earning(run, rep1, "6000.00", transaction_ref="D2", tier="2")
    add_earning(
        run, rep1, "300.00", transaction_ref="D2", component_id="launch", component_kind="spiff"
    )
    add_earning(run, rep1, "1000.00", component_id="bonus", component_kind="bonus")
    add_earning(run, rep1, "200.00", transaction_ref="D2", component_id="mbo", component_kind="mbo")
    add_payout(run, rep1, "46000.00")
    publish(world, run)


@pytest.mark.django_db
@pytest.mark.usefixtures("capitalizable")
class TestCapitalization:
    def test_schedule_from_the_booked_month(self, world: World) -> None:
        assets = exports.capitalization_schedule(
            viewer=world.users["finance"], period_key="2026-Q1"
        )
        assert [(a.transaction_ref, a.amount, a.booked_on) for a in assets] == [
            ("G1", D("36000.00"), date(2026, 1, 15)),
            ("D2", D("8800.00"), date(2026, 2, 10)),
        ]
        g1, d2 = assets
        assert len(g1.months) == 36
        assert (g1.months[0].month, g1.months[-1].month) == (date(2026, 1, 1), date(2028, 12, 1))
        year1 = [m for m in g1.months if m.month.year == 2026]
        assert sum(m.amount for m in year1) == D("12000.00")
        assert year1[-1].balance == D("24000.00")
        assert g1.months[-1].balance == 0
        # 8,800 / 36 = 244.444…: 35 months of 244.44 and 244.60 in the last.
        assert {m.amount for m in d2.months[:35]} == {D("244.44")}
        assert d2.months[-1].amount == D("244.60")
        assert sum(m.amount for m in d2.months) == D("8800.00")
        assert d2.months[0].month == date(2026, 2, 1)

    def test_journal_entries_balance(self, world: World) -> None:
        lines = exports.capitalization_journal(viewer=world.users["finance"], period_key="2026-Q1")
        assert len(lines) == 2 * (1 + 36) * 2
        first = lines[:4]
        assert [(line.date, line.account[:4], line.debit, line.credit) for line in first] == [
            (date(2026, 1, 15), "1450", D("36000.00"), D("0.00")),
            (date(2026, 1, 15), "2100", D("0.00"), D("36000.00")),
            (date(2026, 1, 1), "6100", D("1000.00"), D("0.00")),
            (date(2026, 1, 1), "1450", D("0.00"), D("1000.00")),
        ]
        _balanced(lines)
        expense_2026 = sum(
            line.debit
            for line in lines
            if line.account.startswith("6100") and line.date.year == 2026
        )
        # G1: 12 × 1,000; D2: February to December, 11 × 244.44.
        assert expense_2026 == D("12000.00") + 11 * D("244.44")

    def test_practical_expedient_expenses_at_once(self, world: World) -> None:
        AccountingPolicy.objects.create(benefit_months=12, practical_expedient=True)
        assets = exports.capitalization_schedule(
            viewer=world.users["finance"], period_key="2026-Q1"
        )
        assert [
            (a.transaction_ref, a.expensed_at_once, [m.amount for m in a.months]) for a in assets
        ] == [
            ("G1", True, [D("36000.00")]),
            ("D2", True, [D("8800.00")]),
        ]
        lines = exports.capitalization_journal(viewer=world.users["finance"], period_key="2026-Q1")
        assert [(line.account[:4], line.debit, line.credit) for line in lines[:2]] == [
            ("6100", D("36000.00"), D("0.00")),
            ("2100", D("0.00"), D("36000.00")),
        ]
        _balanced(lines)

    def test_twelve_months_without_the_expedient_are_amortised(self, world: World) -> None:
        AccountingPolicy.objects.create(benefit_months=12, practical_expedient=False)
        g1 = exports.capitalization_schedule(viewer=world.users["finance"], period_key="2026-Q1")[0]
        assert [m.amount for m in g1.months] == [D("3000.00")] * 12

    def test_capitalised_kinds_come_from_the_policy(self, world: World) -> None:
        AccountingPolicy.objects.create(capitalized_component_kinds=["spiff"])
        assets = exports.capitalization_schedule(
            viewer=world.users["finance"], period_key="2026-Q1"
        )
        assert [(a.transaction_ref, a.amount) for a in assets] == [("D2", D("300.00"))]

    def test_csv(self, world: World) -> None:
        text = exports.export_csv(
            viewer=world.users["finance"], kind="capitalization", period_key="2026-Q1"
        )
        lines = text.splitlines()
        assert lines[0] == (
            "payee_id,payee_name,transaction_ref,booked_on,period,asset_amount,currency,month,"
            "amortization,balance"
        )
        assert (
            lines[1] == "REP1,Rep1 Test,G1,2026-01-15,2026-Q1,36000.00,USD,2026-01,1000.00,35000.00"
        )
        assert lines[-1] == "REP1,Rep1 Test,D2,2026-02-10,2026-Q1,8800.00,USD,2029-01,244.60,0.00"
        assert len(lines) == 1 + 36 + 36


@pytest.mark.django_db
def test_a_deal_missing_from_sales_counts_from_its_period_start(world: World) -> None:
    run = make_run(period("2026-Q2"))
    add_earning(run, world.people["rep2"], "1200.00", transaction_ref="GONE")
    publish(world, run)
    [asset] = exports.capitalization_schedule(viewer=world.users["finance"], period_key="2026-Q2")
    assert (asset.booked_on, asset.months[0].month) == (date(2026, 4, 1), date(2026, 4, 1))
    assert [m.amount for m in asset.months[:2]] == [D("33.33"), D("33.33")]
    assert asset.months[-1].amount == D("33.45")  # 1,200 − 35 × 33.33


@pytest.fixture
def glossary_run(world: World) -> CalcRun:
    publish_ae_plan(world)
    glossary_quarter(world)
    return publish(world, run_quarter(world))


@pytest.mark.django_db
class TestCapitalizationOfARun:
    """A run keeps its deal lines in its archive; the database sums them per tier."""

    def test_each_deal_comes_from_the_archive(self, world: World, glossary_run: CalcRun) -> None:
        assets = exports.capitalization_schedule(
            viewer=world.users["finance"], period_key="2026-Q1"
        )
        # D2 is two slices (2,500 at 5 % below quota, 6,000 at 12 % above), one asset.
        assert [(a.payee_id, a.transaction_ref, a.amount, a.booked_on) for a in assets] == [
            ("REP1", "D1", D("7500.00"), date(2026, 1, 20)),
            ("REP1", "D2", D("8500.00"), date(2026, 2, 10)),
            ("REP2", "D3", D("2500.00"), date(2026, 3, 5)),
        ]

    def test_a_missing_archive_is_an_error_not_a_smaller_schedule(
        self, world: World, glossary_run: CalcRun
    ) -> None:
        archive.delete_archive(glossary_run.pk)
        with pytest.raises(OpenSPMError, match="archive is missing"):
            exports.capitalization_schedule(viewer=world.users["finance"], period_key="2026-Q1")

    def test_a_payee_renamed_since_the_run_is_a_clear_error(
        self, world: World, glossary_run: CalcRun
    ) -> None:
        Person.objects.filter(pk=world.people["rep2"].pk).update(external_id="REP2-NEW")
        with pytest.raises(OpenSPMError, match="REP2"):
            exports.capitalization_schedule(viewer=world.users["finance"], period_key="2026-Q1")
