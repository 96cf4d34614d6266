"""What the pages show: filters, HTMX partials, the hierarchy on a date, detail pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from openspm.org.models import Person, ReportingLine
from openspm.org.selectors import today
from tests.factories import make_account, make_person, make_transaction
from tests.web.conftest import Company

HTMX = {"HTTP_HX_REQUEST": "true"}


def _templates(response: object) -> list[str]:
    return [t.name for t in response.templates]  # type: ignore[attr-defined]


def _parents(rows: list[tuple[int, Person, int]]) -> dict[str, str | None]:
    """person external id → the external id of the row they are nested under."""
    stack: list[Person] = []
    parents: dict[str, str | None] = {}
    for depth, person, _ in rows:
        del stack[depth:]
        parents[person.external_id] = stack[-1].external_id if stack else None
        stack.append(person)
    return parents


class TestHierarchy:
    def test_a_move_in_the_middle_of_a_period_shows_by_date(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        people = company.world.people
        move_on = date(2025, 5, 15)
        line = ReportingLine.objects.get(person=people["rep2"])
        line.effective_to = move_on
        line.save()
        ReportingLine.objects.create(
            person=people["rep2"], manager=people["manager2"], effective_from=move_on
        )
        client = login("admin")
        before = client.get(reverse("org:hierarchy"), {"on": "2025-05-14"}).context["rows"]
        after = client.get(reverse("org:hierarchy"), {"on": "2025-05-15"}).context["rows"]
        assert _parents(before)["REP2"] == "MANAGER1"
        assert _parents(after)["REP2"] == "MANAGER2"
        assert _parents(after)["MANAGER2"] == "VP"
        assert _parents(after)["VP"] is None

    def test_a_manager_sees_their_own_subtree_as_the_root(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        rows = login("manager1").get(reverse("org:hierarchy")).context["rows"]
        assert _parents(rows) == {"MANAGER1": None, "REP1": "MANAGER1", "REP2": "MANAGER1"}

    def test_people_not_yet_hired_are_not_in_the_tree(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        make_person(external_id="LATE", hired_on=today() + timedelta(days=30))
        rows = login("admin").get(reverse("org:hierarchy")).context["rows"]
        assert "LATE" not in _parents(rows)

    def test_htmx_gets_the_partial(self, company: Company, login: Callable[[str], Client]) -> None:
        response = login("admin").get(reverse("org:hierarchy"), {"on": "2025-01-01"}, **HTMX)
        assert _templates(response)[0] == "org/_hierarchy.html"
        assert b"<html" not in response.content


class TestPeople:
    def test_search_and_active_only(self, company: Company, login: Callable[[str], Client]) -> None:
        gone = make_person(external_id="GONE", first_name="Gone", hired_on=date(2020, 1, 1))
        gone.terminated_on = date(2021, 1, 1)
        gone.save()
        client = login("admin")
        found = client.get(reverse("org:people"), {"q": "rep"}).context["people"]
        assert {p.external_id for p in found} == {"REP1", "REP2", "REP3"}
        everyone = client.get(reverse("org:people")).context["people"]
        active = client.get(reverse("org:people"), {"active": "on"}).context["people"]
        assert "GONE" in {p.external_id for p in everyone}
        assert "GONE" not in {p.external_id for p in active}

    def test_htmx_filter_returns_the_table_only(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        response = login("admin").get(reverse("org:people"), {"q": "vp"}, **HTMX)
        assert _templates(response)[0] == "org/_people.html"
        assert [p.external_id for p in response.context["people"]] == ["VP"]

    def test_a_boosted_request_gets_the_whole_page(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        response = login("admin").get(reverse("org:people"), **HTMX, HTTP_HX_BOOSTED="true")
        assert _templates(response)[0] == "org/people.html"


class TestPersonPage:
    def test_shows_chain_reports_history_quotas_and_deals(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        people = company.world.people
        context = login("vp").get(reverse("web:person", args=[people["manager1"].pk])).context
        assert [(p.external_id, visible) for p, visible in context["chain"]] == [("VP", True)]
        assert {p.external_id for p in context["reports"]} == {"REP1", "REP2"}
        assert [line.manager_id for line in context["reporting_history"]] == [people["vp"].pk]
        assert [q.pk for q in context["quotas"]] == [company.quotas["manager1"].pk]

    def test_a_rep_sees_their_managers_name_but_no_link(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        rep1 = company.world.people["rep1"]
        response = login("rep1").get(reverse("web:person", args=[rep1.pk]))
        chain = [(p.external_id, visible) for p, visible in response.context["chain"]]
        assert chain == [("MANAGER1", False), ("VP", False)]
        manager_url = reverse("web:person", args=[company.world.people["manager1"].pk])
        assert manager_url.encode() not in response.content
        deals = {t.external_id for t in response.context["recent"]}
        assert deals == {"D-REP1", "D-SPLIT", "D-CANC"}
        assert {m.team.code for m in response.context["memberships"]} == {"east"}


class TestTransactions:
    def test_filters_by_status_date_and_search(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        client = login("admin")
        url = reverse("sales:transactions")
        cancelled = client.get(url, {"status": "cancelled"}).context["transactions"]
        assert [t.external_id for t in cancelled] == ["D-CANC"]
        by_account = client.get(url, {"q": "acme"}).context["transactions"]
        assert [t.external_id for t in by_account] == ["D-REP1"]
        later = company.quarter.start_on + timedelta(days=1)
        assert list(client.get(url, {"booked_from": later}).context["transactions"]) == []
        assert (
            len(client.get(url, {"booked_to": company.quarter.start_on}).context["transactions"])
            == 6
        )

    def test_an_invalid_date_shows_the_error_and_no_filter(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        response = login("admin").get(reverse("sales:transactions"), {"booked_from": "soon"})
        assert response.status_code == 200
        assert "booked_from" in response.context["form"].errors
        assert b"Enter a valid date" in response.content

    def test_pages_of_fifty(self, company: Company, login: Callable[[str], Client]) -> None:
        for _ in range(55):
            make_transaction(owner=company.world.people["rep3"], booked_on=date(2025, 1, 1))
        client = login("admin")
        first = client.get(reverse("sales:transactions"))
        second = client.get(reverse("sales:transactions"), {"page": 2}, **HTMX)
        assert len(first.context["transactions"]) == 50
        assert len(second.context["transactions"]) == 11
        assert _templates(second)[0] == "sales/_transactions.html"

    def test_detail_shows_each_split_credit(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        response = login("rep2").get(
            reverse("sales:transaction", args=[company.transactions["split"].pk])
        )
        credits = {p.external_id: (pct, amount) for p, pct, amount in response.context["credits"]}
        assert credits == {
            "REP1": (Decimal("60"), Decimal("3000")),
            "REP2": (Decimal("40"), Decimal("2000")),
        }
        assert b"3,000.00 USD" in response.content

    def test_without_splits_the_owner_takes_it_all(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        response = login("rep1").get(
            reverse("sales:transaction", args=[company.transactions["rep1"].pk])
        )
        [(person, pct, amount)] = response.context["credits"]
        assert (person.external_id, pct, amount) == ("REP1", Decimal(100), Decimal("1000.00"))


class TestAccountPage:
    def test_rule_match_gives_the_territory(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        response = login("rep1").get(reverse("web:account", args=[company.accounts["rep1"].pk]))
        assert response.context["territory"] == company.territory
        assert [t.external_id for t in response.context["transactions"]] == ["D-REP1"]

    def test_named_account_overrides_rules(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        response = login("admin").get(reverse("web:account", args=[company.accounts["rep3"].pk]))
        assert response.context["territory"] == company.territory

    def test_no_match_says_so(self, company: Company, login: Callable[[str], Client]) -> None:
        response = login("admin").get(reverse("web:account", args=[company.accounts["rep2"].pk]))
        assert response.context["territory"] is None
        assert b"No territory" in response.content


class TestTerritoryPage:
    def test_rules_members_and_named_accounts_limited_to_the_viewer(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        url = reverse("territories:territory", args=[company.territory.pk])
        admin = login("admin").get(url).context
        assert [(r.field, r.value) for r in admin["rules"]] == [("country", "DE")]
        assert {m.person.external_id for m, _ in admin["members"]} == {"REP1", "REP3"}
        assert [n.account.name for n in admin["named_accounts"]] == ["Crane Ltd"]
        rep1 = login("rep1").get(url).context
        assert {m.person.external_id for m, _ in rep1["members"]} == {"REP1"}
        assert rep1["named_accounts"] == []


class TestOtherLists:
    def test_accounts_filter_by_country(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        make_account(name="Other DE", country="DE")
        names = login("admin").get(reverse("sales:accounts"), {"country": "de"}).context["accounts"]
        assert sorted(a.name for a in names) == ["Acme GmbH", "Other DE"]

    def test_quotas_by_period(self, company: Company, login: Callable[[str], Client]) -> None:
        client = login("admin")
        this = client.get(reverse("quotas:quotas"), {"period": company.quarter.key}).context[
            "quotas"
        ]
        assert len(this) == 5
        assert (
            list(client.get(reverse("quotas:quotas"), {"period": "1999-Q1"}).context["quotas"])
            == []
        )

    def test_periods_show_open_and_closed(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        company.quarter.status = "closed"
        company.quarter.save()
        response = login("rep1").get(reverse("org:periods"), {"kind": "quarter"})
        assert len(response.context["periods"]) == 4
        assert b"closed" in response.content

    def test_products_by_family(self, company: Company, login: Callable[[str], Client]) -> None:
        client = login("rep1")
        assert [
            p.sku
            for p in client.get(reverse("sales:products"), {"family": "core"}).context["products"]
        ] == ["CORE-1"]
        assert (
            list(client.get(reverse("sales:products"), {"family": "none"}).context["products"])
            == []
        )


class TestNavigation:
    def _labels(self, client: Client) -> list[str]:
        return [item["label"] for item in client.get("/").context["nav_items"]]

    def test_rep_menu(self, company: Company, login: Callable[[str], Client]) -> None:
        labels = self._labels(login("rep1"))
        assert "People" not in labels
        assert "Import" not in labels
        assert "Audit" not in labels
        assert "Transactions" in labels

    def test_comp_admin_menu(self, company: Company, login: Callable[[str], Client]) -> None:
        labels = self._labels(login("compadmin"))
        assert {"People", "Hierarchy", "Import", "Transactions", "Quotas"} <= set(labels)
        assert "Audit" not in labels

    def test_admin_menu_has_audit(self, company: Company, login: Callable[[str], Client]) -> None:
        assert "Audit" in self._labels(login("admin"))

    def test_partner_menu_is_home_and_their_referrals(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        assert self._labels(login("partner")) == ["Home", "Referrals"]

    def test_every_menu_item_opens_for_its_role(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        for role in ("rep1", "manager1", "finance", "compadmin", "admin", "partner"):
            client = login(role)
            for item in client.get("/").context["nav_items"]:
                assert client.get(item["url"]).status_code == 200, (role, item["url"])
