"""Each role's home page shows figures computed from the database (see `company` for the data)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client

from openspm.core.roles import Role
from openspm.sales.models import FxRate
from tests.factories import make_currency, make_transaction, make_user
from tests.web.conftest import Company

D = Decimal


def _home(login: Callable[[str], Client], role: str) -> dict[str, object]:
    response = login(role).get("/")
    assert response.status_code == 200
    return response.context  # type: ignore[return-value]


class TestRepHome:
    def test_attainment_counts_own_deals_and_split_shares_but_not_cancelled(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        context = _home(login, "rep1")
        line = context["line"]
        # 1,000 alone + 60 % of 5,000; the cancelled 9,999 is out.
        assert line.bookings == D("4000")
        assert line.quota_amount == D("10000")
        assert line.attainment == D("0.4")
        assert context["bookings_by_currency"] == {"USD": D("4000")}

    def test_the_other_side_of_a_split(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        line = _home(login, "rep2")["line"]
        assert (line.bookings, line.attainment) == (D("4000"), D("0.8"))

    def test_other_currencies_convert_at_the_rate_in_force(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        context = _home(login, "rep3")
        line = context["line"]
        assert line.bookings == D("4100")  # 3,000 USD + 1,000 EUR at 1.10
        assert line.attainment == D("0.5125")
        assert line.unconverted == []
        assert context["bookings_by_currency"] == {"EUR": D("1000"), "USD": D("3000")}

    def test_the_page_prints_the_figures(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        html = login("rep1").get("/").content.decode()
        assert "40.0 %" in html
        assert "4,000.00 USD" in html
        assert "10,000.00 USD" in html
        assert "D-SPLIT" in html

    def test_recent_deals_are_the_reps_own(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        recent = _home(login, "rep1")["recent"]
        assert {t.external_id for t in recent} == {"D-REP1", "D-SPLIT", "D-CANC"}


class TestManagerHome:
    def test_team_totals_and_per_report_table(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        context = _home(login, "manager1")
        assert context["team_size"] == 2
        assert context["bookings_by_currency"] == {"USD": D("8000")}
        lines = {line.person.external_id: line for line in context["report_lines"]}
        assert set(lines) == {"REP1", "REP2"}
        assert (lines["REP1"].bookings, lines["REP1"].attainment) == (D("4000"), D("0.4"))
        assert (lines["REP2"].bookings, lines["REP2"].attainment) == (D("4000"), D("0.8"))
        team = context["line"]
        assert (team.quota_amount, team.bookings) == (D("15000"), D("8000"))
        assert team.attainment == D("8000") / D("15000")

    def test_a_managers_report_line_rolls_up_their_team(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        context = _home(login, "vp")
        lines = {line.person.external_id: line for line in context["report_lines"]}
        assert (lines["MANAGER1"].bookings, lines["MANAGER1"].attainment) == (D("8000"), D("0.4"))
        assert (lines["MANAGER2"].bookings, lines["MANAGER2"].attainment) == (D("4100"), D("0.41"))
        assert context["team_size"] == 5
        assert context["bookings_by_currency"] == {"EUR": D("1000"), "USD": D("11000")}
        html = login("vp").get("/").content.decode()
        assert "41.0 %" in html


@pytest.mark.parametrize("role", ["finance", "compadmin", "admin"])
def test_company_home_has_totals_by_currency_counts_and_open_periods(
    role: str, company: Company, login: Callable[[str], Client]
) -> None:
    context = _home(login, role)
    assert context["kind"] == "company"
    bookings = {row["currency_id"]: (row["total"], row["deals"]) for row in context["bookings"]}
    assert bookings == {"EUR": (D("1000"), 1), "USD": (D("11000"), 4)}
    assert context["deal_count"] == 5
    assert context["people_count"] == 6
    assert context["account_count"] == 3
    assert context["territory_count"] == 1
    assert [
        (r["measure"], r["currency_id"], r["total"], r["people"]) for r in context["quota_totals"]
    ] == [("bookings", "USD", D("53000"), 5)]
    open_keys = {p.key for p in context["open_periods"]}
    assert company.quarter.key in open_keys
    assert str(company.quarter.fiscal_year) in open_keys


def test_a_closed_period_is_not_listed_as_open(
    company: Company, login: Callable[[str], Client]
) -> None:
    company.quarter.status = "closed"
    company.quarter.save()
    assert company.quarter.key not in {p.key for p in _home(login, "finance")["open_periods"]}


def test_partner_home_is_a_welcome_without_figures(
    company: Company, login: Callable[[str], Client]
) -> None:
    response = login("partner").get("/")
    assert response.context["kind"] == "partner"
    assert "bookings" not in response.context
    assert b"partner portal" in response.content


def test_a_rep_without_a_quota_sees_no_attainment(
    company: Company, login: Callable[[str], Client]
) -> None:
    company.quotas["rep1"].delete()
    line = _home(login, "rep1")["line"]
    assert line.quota_amount is None
    assert line.attainment is None
    assert line.bookings == D("4000")


class TestRollUpAndCurrencies:
    def test_a_report_without_a_quota_is_measured_against_their_teams(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        company.quotas["manager1"].delete()
        lines = {line.person.external_id: line for line in _home(login, "vp")["report_lines"]}
        # rep1 10,000 + rep2 5,000 stand in for manager1's missing quota.
        assert (lines["MANAGER1"].quota_amount, lines["MANAGER1"].is_rollup) == (D("15000"), True)
        assert lines["MANAGER1"].attainment == D("8000") / D("15000")
        assert lines["MANAGER2"].is_rollup is False

    def test_the_vp_team_line_sums_the_reports_quotas(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        team = _home(login, "vp")["line"]
        assert (team.quota_amount, team.bookings, team.currency) == (D("30000"), D("12100"), "USD")

    def test_cross_rates_go_through_the_base_currency(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        make_currency("GBP")
        FxRate.objects.create(
            currency_id="GBP",
            quote_currency_id="USD",
            rate_on=company.quarter.start_on,
            rate=D("1.25"),
        )
        quota = company.quotas["rep3"]
        quota.currency_id = "GBP"
        quota.save()
        line = _home(login, "rep3")["line"]
        # 3,000 USD ÷ 1.25 + 1,000 EUR × 1.10 ÷ 1.25 = 2,400 + 880 GBP
        assert line.currency == "GBP"
        assert line.bookings == D("3280")
        assert line.unconverted == []

    def test_a_currency_without_any_rate_is_named_not_guessed(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        make_transaction(
            owner=company.world.people["rep3"],
            amount=D("500"),
            currency="JPY",
            booked_on=company.quarter.start_on,
        )
        line = _home(login, "rep3")["line"]
        assert line.bookings == D("4100")
        assert line.unconverted == ["JPY"]
        assert "No FX rate for JPY" in login("rep3").get("/").content.decode()


def test_a_login_without_a_payee_record_is_told_so(
    company: Company, login: Callable[[str], Client]
) -> None:
    user = make_user(role=Role.REP, username="nobody")
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.context["kind"] == "no_person"
    assert b"not linked to a payee" in response.content
