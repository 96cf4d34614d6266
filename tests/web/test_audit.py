"""The audit page: every history table, who changed what, with the changed fields."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openspm.core.models import User
from openspm.org.models import Person
from tests.web.conftest import Company


def _save_as(person: Person, user: User, **changes: object) -> None:
    for name, value in changes.items():
        setattr(person, name, value)
    person._history_user = user  # type: ignore[attr-defined]
    person.save()


class TestAuditPage:
    def test_a_change_shows_who_when_and_the_changed_fields(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        rep1 = company.world.people["rep1"]
        _save_as(rep1, company.world.users["compadmin"], title="Senior AE")
        entries = login("admin").get(reverse("web:audit")).context["entries"]
        newest = entries[0]
        assert (newest.model_label, newest.object_id, newest.change) == ("org.Person", rep1.pk, "~")
        assert newest.user == company.world.users["compadmin"]
        assert newest.object_label == "REP1"
        assert newest.changes == [("title", "Account Executive", "Senior AE")]

    def test_creations_across_every_history_table(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        entries = login("admin").get(reverse("web:audit")).context["entries"]
        labels = {e.model_label for e in entries if e.change == "+"}
        assert {
            "org.Person",
            "sales.Transaction",
            "quotas.Quota",
            "territories.Territory",
        } <= labels
        assert entries == sorted(entries, key=lambda e: (e.at, e.history_id), reverse=True)

    def test_deletions_are_listed(self, company: Company, login: Callable[[str], Client]) -> None:
        company.quotas["rep1"].delete()
        entries = (
            login("admin").get(reverse("web:audit"), {"model": "quotas.Quota"}).context["entries"]
        )
        assert entries[0].change == "-"
        assert {e.model_label for e in entries} == {"quotas.Quota"}

    def test_filter_by_user(self, company: Company, login: Callable[[str], Client]) -> None:
        compadmin = company.world.users["compadmin"]
        _save_as(company.world.people["rep2"], compadmin, title="Lead")
        entries = (
            login("admin").get(reverse("web:audit"), {"user": compadmin.pk}).context["entries"]
        )
        assert [(e.object_label, e.change) for e in entries] == [("REP2", "~")]

    def test_pages_newest_first(self, company: Company, login: Callable[[str], Client]) -> None:
        for round_ in range(3):
            for person in company.world.people.values():
                _save_as(person, company.world.users["admin"], title=f"T{round_}")
        client = login("admin")
        first = client.get(reverse("web:audit")).context["page"]
        second = client.get(reverse("web:audit"), {"page": 2}).context["page"]
        assert first.has_next
        assert len(first.entries) == 50
        assert second.has_previous
        assert not {e.history_id for e in first.entries if e.model_label == "org.Person"} & {
            e.history_id for e in second.entries if e.model_label == "org.Person"
        }
        assert first.entries[-1].at >= second.entries[0].at

    @pytest.mark.parametrize("role", ["compadmin", "finance", "rep1", "partner"])
    def test_only_administrators(
        self, role: str, company: Company, login: Callable[[str], Client]
    ) -> None:
        assert login(role).get(reverse("web:audit")).status_code == 403

    def test_diffs_need_no_query_per_row(
        self, company: Company, login: Callable[[str], Client]
    ) -> None:
        client = login("admin")
        people = list(company.world.people.values())
        user = company.world.users["compadmin"]

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse("web:audit")).status_code == 200
            return len(queries)

        for n, person in enumerate(people):
            _save_as(person, user, title=f"Title {n}")
        few = count()
        for round_ in range(8):
            for person in people:
                _save_as(person, user, title=f"Title {round_} {person.pk}")
        assert count() == few
