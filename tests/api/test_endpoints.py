"""What each endpoint does: pagination, filters, nested writes, and the rules writes keep."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openspm.org.models import Period, ReportingLine
from openspm.quotas.models import Quota
from openspm.sales.models import CreditSplit, Transaction
from openspm.territories.models import Territory
from tests.api.conftest import Company, call, client_for, snapshot
from tests.factories import make_transaction


def items(company: Company, role: str, url: str) -> list[dict[str, Any]]:
    response = call(client_for(company, role), "GET", url)
    assert response.status_code == 200, response.data
    return response.data["items"]  # type: ignore[no-any-return]


def names(company: Company, kind: str, rows: list[dict[str, Any]]) -> set[str]:
    by_id = {r.pk: n for n, r in company.rows[kind].items()}
    return {by_id[row["id"]] for row in rows}


class TestPagination:
    def test_limit_and_offset_walk_every_row_once(self, company: Company) -> None:
        client = client_for(company, "admin")
        seen: list[int] = []
        offset = 0
        while True:
            page = call(client, "GET", f"/api/v1/sales/transactions?limit=3&offset={offset}")
            assert page.data["count"] == 8
            if not page.data["items"]:
                break
            assert len(page.data["items"]) <= 3
            seen += [t["id"] for t in page.data["items"]]
            offset += 3
        assert sorted(seen) == sorted(company.ids("transactions"))
        assert len(seen) == len(set(seen))

    def test_default_page_size_is_fifty(self, company: Company) -> None:
        owner = company.people["rep1"]
        for _ in range(55):
            make_transaction(owner=owner)
        page = call(client_for(company, "rep1"), "GET", "/api/v1/sales/transactions")
        assert len(page.data["items"]) == 50
        assert page.data["count"] == 57  # 55 + rep1's own + the shared deal

    def test_limit_zero_is_invalid(self, company: Company) -> None:
        response = call(client_for(company, "admin"), "GET", "/api/v1/org/people?limit=0")
        assert response.status_code == 422

    def test_a_list_costs_the_same_queries_whatever_its_length(self, company: Company) -> None:
        client = client_for(company, "manager1")
        url = "/api/v1/sales/transactions"
        call(client, "GET", url)  # warm up the session
        with CaptureQueriesContext(connection) as few:
            call(client, "GET", url)
        for person in ("rep1", "rep2"):
            make_transaction(
                owner=company.people[person],
                splits={company.people["rep1"]: Decimal(50), company.people["rep2"]: Decimal(50)},
            )
        with CaptureQueriesContext(connection) as more:
            response = call(client, "GET", url)
        assert response.data["count"] == 6
        assert len(more) == len(few)


class TestTransactionFilters:
    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("booked_from=2026-01-13", {"rep1", "rep2", "rep3", "outsider", "shared"}),
            ("booked_to=2026-01-11", {"vp", "manager1"}),
            ("booked_from=2026-01-12&booked_to=2026-01-13", {"manager2", "rep1"}),
            ("status=invoiced", {"shared"}),
            ("person_id={rep1}", {"rep1", "shared"}),
            ("search=t-rep", {"rep1", "rep2", "rep3"}),
            ("search=manager1 corp", {"manager1"}),
            ("type=renewal", set()),
            (
                "currency=usd",
                {"vp", "manager1", "manager2", "rep1", "rep2", "rep3", "outsider", "shared"},
            ),
        ],
    )
    def test_filters(self, company: Company, query: str, expected: set[str]) -> None:
        query = query.format(rep1=company.people["rep1"].pk)
        rows = items(company, "admin", f"/api/v1/sales/transactions?{query}")
        assert names(company, "transactions", rows) == expected

    def test_filters_stay_inside_the_viewers_scope(self, company: Company) -> None:
        rep3 = company.people["rep3"].pk
        rows = items(company, "rep1", f"/api/v1/sales/transactions?person_id={rep3}")
        assert names(company, "transactions", rows) == {"shared"}

    def test_an_unknown_status_is_invalid(self, company: Company) -> None:
        response = call(
            client_for(company, "admin"), "GET", "/api/v1/sales/transactions?status=lost"
        )
        assert response.status_code == 422


class TestOtherFilters:
    def test_people_by_search_and_title(self, company: Company) -> None:
        rows = items(company, "admin", "/api/v1/org/people?search=rep")
        assert names(company, "people", rows) == {"rep1", "rep2", "rep3"}
        person = company.people["rep2"]
        person.title = "Sales Engineer"
        person.save()
        rows = items(company, "admin", "/api/v1/org/people?title=sales engineer")
        assert names(company, "people", rows) == {"rep2"}

    def test_people_active_on_a_date(self, company: Company) -> None:
        person = company.people["rep3"]
        person.terminated_on = date(2026, 6, 30)
        person.save()
        rows = items(company, "admin", "/api/v1/org/people?active_on=2026-07-01")
        assert "rep3" not in names(company, "people", rows)

    def test_quotas_by_period_person_and_measure(self, company: Company) -> None:
        rep1 = company.people["rep1"]
        q2 = Period.objects.get(key="2026-Q2")
        Quota.objects.create(person=rep1, period=q2, measure="margin", amount=Decimal("10"))
        rows = items(company, "admin", "/api/v1/quotas?period=2026-Q2")
        assert [(q["person_id"], q["measure"]) for q in rows] == [(rep1.pk, "margin")]
        rows = items(company, "admin", f"/api/v1/quotas?person_id={rep1.pk}")
        assert {q["period"] for q in rows} == {"2026-Q1", "2026-Q2"}
        rows = items(company, "admin", "/api/v1/quotas?measure=bookings")
        assert len(rows) == len(company.rows["quotas"])

    def test_accounts_by_owner_and_search(self, company: Company) -> None:
        rep2 = company.people["rep2"].pk
        rows = items(company, "admin", f"/api/v1/sales/accounts?owner_id={rep2}")
        assert names(company, "accounts", rows) == {"rep2"}
        rows = items(company, "admin", "/api/v1/sales/accounts?search=nobody")
        assert names(company, "accounts", rows) == {"unowned"}

    def test_periods_by_kind_and_year(self, company: Company) -> None:
        rows = items(company, "rep1", "/api/v1/org/periods?kind=quarter&fiscal_year=2026")
        assert [p["key"] for p in rows] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]

    def test_reporting_lines_on_a_date_and_by_manager(self, company: Company) -> None:
        manager1 = company.people["manager1"].pk
        rows = items(company, "vp", f"/api/v1/org/reporting-lines?manager_id={manager1}")
        assert {r["person_id"] for r in rows} == {
            company.people["rep1"].pk,
            company.people["rep2"].pk,
        }
        assert items(company, "vp", "/api/v1/org/reporting-lines?on=2023-12-31") == []


class TestTransactionWrites:
    def _create(self, company: Company, splits: list[tuple[str, str]]) -> Any:
        return call(
            client_for(company, "compadmin"),
            "POST",
            "/api/v1/sales/transactions",
            {
                "external_id": "T-SPLIT",
                "owner_id": company.people["rep1"].pk,
                "booked_on": "2026-03-01",
                "amount": "1000",
                "currency": "USD",
                "cost_amount": "400",
                "splits": [
                    {"person_id": company.people[n].pk, "split_percent": pct} for n, pct in splits
                ],
            },
        )

    def test_creates_with_splits_and_returns_them(self, company: Company) -> None:
        response = self._create(company, [("rep1", "33.3333"), ("rep2", "66.6667")])
        assert response.status_code == 201
        assert response.data["margin_amount"] == "600.0000"
        assert sorted((s["person_id"], s["split_percent"]) for s in response.data["splits"]) == [
            (company.people["rep1"].pk, "33.3333"),
            (company.people["rep2"].pk, "66.6667"),
        ]

    @pytest.mark.parametrize(
        "splits",
        [
            [("rep1", "50"), ("rep2", "49.9999")],
            [("rep1", "60"), ("rep2", "60")],
            [("rep1", "50"), ("rep1", "50")],
            [("rep1", "0"), ("rep2", "100")],
        ],
    )
    def test_splits_that_do_not_make_100_write_nothing(
        self, company: Company, splits: list[tuple[str, str]]
    ) -> None:
        before = snapshot()
        response = self._create(company, splits)
        assert response.status_code == 422
        assert set(response.data) == {"error", "detail"}
        assert snapshot() == before

    def test_patch_replaces_clears_or_keeps_splits(self, company: Company) -> None:
        tx = company.rows["transactions"]["shared"]
        url = f"/api/v1/sales/transactions/{tx.pk}"
        client = client_for(company, "admin")
        rep2 = company.people["rep2"].pk
        kept = call(client, "PATCH", url, {"status": "paid", "paid_on": "2026-03-01"})
        assert kept.status_code == 200
        assert len(kept.data["splits"]) == 2
        replaced = call(
            client, "PATCH", url, {"splits": [{"person_id": rep2, "split_percent": "100"}]}
        )
        assert [(s["person_id"], s["split_percent"]) for s in replaced.data["splits"]] == [
            (rep2, "100.0000")
        ]
        cleared = call(client, "PATCH", url, {"splits": []})
        assert cleared.data["splits"] == []
        assert not CreditSplit.objects.filter(transaction=tx).exists()
        assert Transaction.objects.get(pk=tx.pk).status == "paid"

    def test_an_unknown_owner_is_invalid(self, company: Company) -> None:
        response = call(
            client_for(company, "admin"),
            "POST",
            "/api/v1/sales/transactions",
            {
                "external_id": "T-X",
                "owner_id": 999999,
                "booked_on": "2026-03-01",
                "amount": "1",
                "currency": "USD",
            },
        )
        assert response.status_code == 422
        assert "owner" in response.data["detail"]


class TestChangeManager:
    def test_ends_the_old_line_and_starts_a_new_one(self, company: Company) -> None:
        rep2, manager2 = company.people["rep2"], company.people["manager2"]
        response = call(
            client_for(company, "admin"),
            "POST",
            "/api/v1/org/reporting-lines",
            {"person_id": rep2.pk, "manager_id": manager2.pk, "effective_from": "2026-02-15"},
        )
        assert response.status_code == 201
        assert response.data["manager_id"] == manager2.pk
        lines = list(
            ReportingLine.objects.filter(person=rep2)
            .order_by("effective_from")
            .values_list("manager_id", "effective_from", "effective_to")
        )
        assert lines == [
            (company.people["manager1"].pk, date(2024, 1, 1), date(2026, 2, 15)),
            (manager2.pk, date(2026, 2, 15), None),
        ]
        before = items(
            company, "admin", f"/api/v1/org/reporting-lines?on=2026-02-14&person_id={rep2.pk}"
        )
        assert [r["manager_id"] for r in before] == [company.people["manager1"].pk]

    def test_no_manager_ends_the_line(self, company: Company) -> None:
        rep3 = company.people["rep3"]
        response = call(
            client_for(company, "admin"),
            "POST",
            "/api/v1/org/reporting-lines",
            {"person_id": rep3.pk, "manager_id": None, "effective_from": "2026-05-01"},
        )
        assert response.status_code == 204
        assert ReportingLine.objects.get(person=rep3).effective_to == date(2026, 5, 1)

    def test_a_loop_is_invalid_and_writes_nothing(self, company: Company) -> None:
        before = snapshot()
        response = call(
            client_for(company, "admin"),
            "POST",
            "/api/v1/org/reporting-lines",
            {
                "person_id": company.people["vp"].pk,
                "manager_id": company.people["rep1"].pk,
                "effective_from": "2026-05-01",
            },
        )
        assert response.status_code == 422
        assert snapshot() == before


class TestFiscalYears:
    def test_creates_the_years_periods_once(self, company: Company) -> None:
        client = client_for(company, "compadmin")
        first = call(client, "POST", "/api/v1/org/fiscal-years", {"fiscal_year": 2030})
        assert first.status_code == 201
        assert [p["key"] for p in first.data][:3] == ["2030", "2030-Q1", "2030-M01"]
        assert len(first.data) == 17
        again = call(client, "POST", "/api/v1/org/fiscal-years", {"fiscal_year": 2030})
        assert again.data == first.data
        assert Period.objects.filter(fiscal_year=2030).count() == 17


class TestTerritoryWrites:
    def test_creates_with_rules_named_accounts_and_members(self, company: Company) -> None:
        account = company.rows["accounts"]["rep2"]
        response = call(
            client_for(company, "admin"),
            "POST",
            "/api/v1/territories",
            {
                "code": "west",
                "name": "West",
                "rules": [
                    {"field": "country", "value": "US"},
                    {"field": "postal_prefix", "value": "9"},
                ],
                "named_account_ids": [account.pk],
                "members": [
                    {
                        "person_id": company.people["rep2"].pk,
                        "role": "owner",
                        "effective_from": "2026-01-01",
                    }
                ],
            },
        )
        assert response.status_code == 201
        assert {(r["field"], r["value"]) for r in response.data["rules"]} == {
            ("country", "US"),
            ("postal_prefix", "9"),
        }
        assert response.data["named_account_ids"] == [account.pk]
        assert [m["person_id"] for m in response.data["members"]] == [company.people["rep2"].pk]

    def test_patch_replaces_only_what_it_names(self, company: Company) -> None:
        north = company.rows["territories"]["north"]
        response = call(
            client_for(company, "admin"),
            "PATCH",
            f"/api/v1/territories/{north.pk}",
            {"rules": [{"field": "region", "value": "DACH"}], "priority": 3},
        )
        assert response.status_code == 200
        assert response.data["rules"] == [{"field": "region", "value": "DACH"}]
        assert response.data["priority"] == 3
        assert len(response.data["members"]) == 1
        assert len(response.data["named_account_ids"]) == 1

    def test_an_account_named_twice_is_invalid_and_writes_nothing(self, company: Company) -> None:
        taken = company.rows["accounts"]["rep1"]  # already named in north
        before = snapshot()
        response = call(
            client_for(company, "admin"),
            "POST",
            "/api/v1/territories",
            {"code": "east", "name": "East", "named_account_ids": [taken.pk]},
        )
        assert response.status_code == 422
        assert "named_account_ids[0].account" in response.data["detail"]
        assert snapshot() == before
        assert not Territory.objects.filter(code="east").exists()

    def test_a_rep_sees_only_their_own_named_accounts(self, company: Company) -> None:
        north = company.rows["territories"]["north"]  # names rep1's account
        url = f"/api/v1/territories/{north.pk}"
        rep1 = call(client_for(company, "rep1"), "GET", url).data
        rep2 = call(client_for(company, "rep2"), "GET", url).data
        assert rep1["named_account_ids"] == [company.rows["accounts"]["rep1"].pk]
        assert rep2["named_account_ids"] == []


class TestOtherWrites:
    def test_a_quota_for_an_unknown_period_is_invalid(self, company: Company) -> None:
        response = call(
            client_for(company, "admin"),
            "POST",
            "/api/v1/quotas",
            {"person_id": company.people["rep1"].pk, "period": "1999-Q1", "amount": "1"},
        )
        assert response.status_code == 422
        assert "period" in response.data["detail"]

    def test_a_second_quota_for_the_same_person_period_and_measure_is_invalid(
        self, company: Company
    ) -> None:
        before = snapshot()
        response = call(
            client_for(company, "admin"),
            "POST",
            "/api/v1/quotas",
            {"person_id": company.people["rep1"].pk, "period": "2026-Q1", "amount": "1"},
        )
        assert response.status_code == 422
        assert snapshot() == before

    def test_a_currency_code_that_exists_is_invalid(self, company: Company) -> None:
        response = call(
            client_for(company, "admin"),
            "POST",
            "/api/v1/sales/currencies",
            {"code": "USD", "name": "Again"},
        )
        assert response.status_code == 422
        assert (
            call(client_for(company, "admin"), "GET", "/api/v1/sales/currencies/USD").data["name"]
            == "USD"
        )

    def test_a_person_can_be_linked_to_a_login(self, company: Company) -> None:
        person = company.people["outsider"]
        login = company.users["partner"]
        response = call(
            client_for(company, "admin"),
            "PATCH",
            f"/api/v1/org/people/{person.pk}",
            {"user_id": login.pk},
        )
        assert response.status_code == 200
        assert response.data["user_id"] == login.pk

    def test_a_membership_ending_before_it_starts_is_invalid(self, company: Company) -> None:
        membership = company.rows["team_memberships"]["east-rep1"]
        response = call(
            client_for(company, "admin"),
            "PATCH",
            f"/api/v1/org/team-memberships/{membership.pk}",
            {"effective_to": "2023-01-01"},
        )
        assert response.status_code == 422


LIST_PATHS = [
    "/api/v1/org/people",
    "/api/v1/org/teams",
    "/api/v1/org/team-memberships",
    "/api/v1/org/reporting-lines",
    "/api/v1/org/periods",
    "/api/v1/sales/currencies",
    "/api/v1/sales/fx-rates",
    "/api/v1/sales/accounts",
    "/api/v1/sales/product-families",
    "/api/v1/sales/products",
    "/api/v1/sales/transactions",
    "/api/v1/quotas",
    "/api/v1/territories",
]


@pytest.mark.parametrize("path", LIST_PATHS)
def test_a_page_of_many_rows_costs_the_queries_of_one_row(company: Company, path: str) -> None:
    """No query per row (D2): a full page needs as many queries as a page of one."""
    client = client_for(company, "admin")
    call(client, "GET", path)  # warm up the session
    with CaptureQueriesContext(connection) as one:
        call(client, "GET", f"{path}?limit=1")
    with CaptureQueriesContext(connection) as many:
        response = call(client, "GET", f"{path}?limit=1000")
    assert len(response.data["items"]) >= 2
    assert len(many) == len(one), [q["sql"] for q in many.captured_queries]
