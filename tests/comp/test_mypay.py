"""My pay: earnings to date, next payout, leaderboard, and the what-if estimator."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from openspm.comp.models import CalcRun, EarningLine, PayoutLine
from openspm.comp.selectors import my_pay as selectors
from openspm.comp.selectors.my_pay import competition_ranks
from openspm.comp.selectors.statements import Money
from openspm.comp.services import statements as services
from openspm.core.errors import InvalidInput, NotFound
from openspm.org.models import Period
from openspm.org.selectors import today
from openspm.org.services import ensure_fiscal_year
from openspm.plans import services as plan_services
from tests.comp.factories import TIERED_PLAN, glossary_quarter, publish_ae_plan
from tests.comp.test_statements import client_as, publish, run_quarter
from tests.factories import World, make_quota, make_transaction


def usd(amount: str) -> list[Money]:
    return [Money(Decimal(amount), "USD")]


def q2_deal(world: World) -> None:
    """rep1 sells 40,000 in 2026-Q2 against a 100,000 quota: 2,000.00 at 5 %."""
    make_quota(person=world.people["rep1"], period_key="2026-Q2", amount=Decimal("100000"))
    make_quota(person=world.people["rep2"], period_key="2026-Q2", amount=Decimal("100000"))
    make_transaction(
        owner=world.people["rep1"],
        amount=Decimal("40000"),
        booked_on=date(2026, 4, 20),
        external_id="D5",
    )


def this_quarter(world: World, *, deals: int, people: tuple[str, ...] = ("rep1", "rep2")) -> Period:
    """The quarter containing today, with the AE plan for `people`, a 100,000 quota each and
    `deals` deals of 1,000 for rep1 and one for rep2; its run published."""
    on = today()
    periods = ensure_fiscal_year(fiscal_year=on.year)
    quarter = next(
        p for p in periods if p.kind == Period.Kind.QUARTER and p.start_on <= on <= p.end_on
    )
    admin, finance = world.users["compadmin"], world.users["finance"]
    draft = plan_services.create_plan(
        actor=admin, code="ae", name="AE", text=TIERED_PLAN, effective_from=date(on.year, 1, 1)
    )
    plan_services.submit_version(actor=admin, version_id=draft.pk)
    version = plan_services.approve_version(actor=finance, version_id=draft.pk)
    for name in people:
        person = world.people[name]
        plan_services.assign_plan(
            actor=admin, plan_id=version.plan_id, person=person, effective_from=date(on.year, 1, 1)
        )
        make_quota(person=person, period_key=quarter.key, amount=Decimal("100000"))
    for i in range(deals):
        make_transaction(
            owner=world.people["rep1"],
            amount=Decimal("1000"),
            booked_on=quarter.start_on
            + timedelta(days=i % max(1, (on - quarter.start_on).days + 1)),
        )
    make_transaction(owner=world.people["rep2"], amount=Decimal("500"), booked_on=quarter.start_on)
    publish(run_quarter(world, quarter.key))
    return quarter


@pytest.mark.django_db
class TestMyPay:
    def test_earnings_to_date_from_published_runs_plus_the_current_preliminary_one(
        self, world: World
    ) -> None:
        publish_ae_plan(world)
        glossary_quarter(world)
        publish(run_quarter(world))
        q2_deal(world)
        q2 = run_quarter(world, "2026-Q2")
        pay = selectors.get_my_pay(viewer=world.users["rep1"], on=date(2026, 5, 10))
        assert [(p.period.key, p.is_preliminary) for p in pay.periods] == [
            ("2026-Q1", False),
            ("2026-Q2", True),
        ]
        assert pay.earnings_to_date == usd("18000.00")
        assert pay.next_payout is not None
        assert pay.next_payout.run == q2
        assert pay.next_payout.amounts == usd("2000.00")
        assert pay.next_payout.pay_on == date(2026, 7, 15)  # the quarter's end + 15 days
        assert pay.current is not None
        assert pay.current.period.key == "2026-Q2"

    def test_an_unpublished_run_of_a_past_period_is_left_out(self, world: World) -> None:
        publish_ae_plan(world)
        glossary_quarter(world)
        run_quarter(world)
        pay = selectors.get_my_pay(viewer=world.users["rep1"], on=date(2026, 5, 10))
        assert pay.periods == []
        assert pay.next_payout is None
        during = selectors.get_my_pay(viewer=world.users["rep1"], on=date(2026, 3, 1))
        assert [(p.period.key, p.is_preliminary) for p in during.periods] == [("2026-Q1", True)]
        assert during.earnings_to_date == usd("16000.00")

    def test_attainment_and_leaderboard_place(self, world: World) -> None:
        publish_ae_plan(world)
        glossary_quarter(world)
        publish(run_quarter(world))
        rep1 = selectors.get_my_pay(viewer=world.users["rep1"], on=date(2026, 3, 1))
        rep2 = selectors.get_my_pay(viewer=world.users["rep2"], on=date(2026, 3, 1))
        assert {m.attainment for m in rep1.measures} == {Decimal("1.25")}
        assert [(p.measure_id, p.rank, p.size) for p in rep1.leaderboard] == [("bookings", 1, 2)]
        assert [(p.rank, p.size, p.attainment) for p in rep2.leaderboard] == [
            (2, 2, Decimal("0.5"))
        ]

    def test_another_years_runs_are_not_counted(self, world: World) -> None:
        publish_ae_plan(world)
        glossary_quarter(world)
        publish(run_quarter(world))
        ensure_fiscal_year(fiscal_year=2027)
        pay = selectors.get_my_pay(viewer=world.users["rep1"], on=date(2027, 2, 1))
        assert pay.fiscal_year == 2027
        assert pay.periods == []
        assert pay.earnings_to_date == []

    def test_a_login_without_a_payee_gets_an_empty_page(self, world: World) -> None:
        ensure_fiscal_year(fiscal_year=today().year)
        response = client_as(world, "finance").get(reverse("comp:my_pay"))
        assert response.status_code == 200
        assert response.context["pay"].person is None
        assert 'data-testid="not-a-payee"' in response.content.decode()

    def test_partners_are_refused(self, world: World) -> None:
        assert client_as(world, "partner").get(reverse("comp:my_pay")).status_code == 403

    def test_the_page_shows_this_quarters_pay(self, world: World) -> None:
        quarter = this_quarter(world, deals=3)
        response = client_as(world, "rep1").get(reverse("comp:my_pay"))
        assert response.status_code == 200
        pay = response.context["pay"]
        assert pay.earnings_to_date == usd("150.00")
        html = response.content.decode()
        assert "150.00 USD" in html
        assert (quarter.end_on + timedelta(days=15)).isoformat() in html
        assert 'data-testid="leaderboard"' in html
        assert reverse("comp:statement", args=[world.people["rep1"].pk, quarter.key]) in html


class TestCompetitionRanks:
    def test_ties_share_a_rank_and_the_next_is_skipped(self) -> None:
        ranks = competition_ranks(
            {1: Decimal("1.2"), 2: Decimal("0.9"), 3: Decimal("0.9"), 4: Decimal("0.5")}
        )
        assert ranks == {1: 1, 2: 2, 3: 2, 4: 4}

    def test_empty(self) -> None:
        assert competition_ranks({}) == {}


@pytest.mark.django_db
class TestWhatIf:
    def test_a_deal_under_quota_adds_the_base_rate(self, world: World) -> None:
        publish_ae_plan(world)
        glossary_quarter(world)
        estimate = services.estimate_deal(
            viewer=world.users["rep2"],
            amount=Decimal("10000"),
            currency="USD",
            booked_on=date(2026, 3, 20),
        )
        assert estimate.period.key == "2026-Q1"
        assert estimate.before == usd("2500.00")
        assert estimate.added == usd("500.00")

    def test_a_deal_across_the_quota_splits_over_the_tiers(self, world: World) -> None:
        publish_ae_plan(world)
        glossary_quarter(world)
        runs_before = CalcRun.objects.count()
        lines_before = EarningLine.objects.count() + PayoutLine.objects.count()
        estimate = services.estimate_deal(
            viewer=world.users["rep2"],
            amount=Decimal("60000"),
            currency="USD",
            booked_on=date(2026, 3, 20),
        )
        # 50,000 to reach the quota at 5 % (2,500) and 10,000 above it at 12 % (1,200).
        assert estimate.added == usd("3700.00")
        assert estimate.payout_added == usd("3700.00")
        assert CalcRun.objects.count() == runs_before
        assert EarningLine.objects.count() + PayoutLine.objects.count() == lines_before

    def test_the_form_answers_with_the_htmx_partial(self, world: World) -> None:
        publish_ae_plan(world)
        glossary_quarter(world)
        response = client_as(world, "rep2").get(
            reverse("comp:what_if"),
            {"amount": "60000", "currency": "USD", "booked_on": "2026-03-20", "deal_type": "new"},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        assert "comp/statements/_what_if.html" in [t.name for t in response.templates]
        assert "3,700.00 USD" in response.content.decode()

    def test_without_htmx_the_my_pay_page_with_the_answer(self, world: World) -> None:
        publish_ae_plan(world)
        glossary_quarter(world)
        response = client_as(world, "rep2").get(
            reverse("comp:what_if"),
            {"amount": "10000", "currency": "USD", "booked_on": "2026-03-20", "deal_type": "new"},
        )
        assert "comp/statements/my_pay.html" in [t.name for t in response.templates]
        assert response.context["estimate"].added == usd("500.00")

    def test_an_invalid_form_shows_its_errors(self, world: World) -> None:
        publish_ae_plan(world)
        glossary_quarter(world)
        response = client_as(world, "rep2").get(
            reverse("comp:what_if"), {"amount": "-5"}, headers={"HX-Request": "true"}
        )
        assert response.status_code == 200
        assert response.context["estimate"] is None
        assert "errorlist" in response.content.decode()

    def test_no_plan_on_that_day(self, world: World) -> None:
        publish_ae_plan(world)
        glossary_quarter(world)
        with pytest.raises(InvalidInput, match="no published plan"):
            services.estimate_deal(
                viewer=world.users["rep3"],
                amount=Decimal("10000"),
                currency="USD",
                booked_on=date(2026, 3, 20),
            )

    def test_a_login_without_a_payee(self, world: World) -> None:
        with pytest.raises(NotFound):
            services.estimate_deal(
                viewer=world.users["finance"],
                amount=Decimal("1"),
                currency="USD",
                booked_on=date(2026, 3, 20),
            )
