"""The demo company's people: four levels, everyone managed, moves during the year, teams."""

from __future__ import annotations

from collections import Counter
from datetime import date
from itertools import pairwise

import pytest

from openspm.org import selectors as org_selectors
from openspm.org.fiscal import fiscal_periods
from openspm.org.models import Person, ReportingLine, TeamMembership

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("company")]


def depths(on: date) -> dict[int, int]:
    managers = org_selectors.manager_map(on=on)
    result = {}
    for person_id in Person.objects.employed_on(on).values_list("pk", flat=True):
        depth, current = 0, person_id
        while current in managers:
            current = managers[current]
            depth += 1
        result[person_id] = depth
    return result


def quarter_starts() -> set[date]:
    return {s.start_on for y in (2025, 2026, 2027) for s in fiscal_periods(y, 1)
            if s.kind == "quarter"}  # fmt: skip


class TestHierarchy:
    def test_has_four_levels_vp_directors_managers_reps(self, as_of: date) -> None:
        by_depth = Counter(depths(as_of).values())

        assert sorted(by_depth) == [0, 1, 2, 3]
        assert by_depth[0] == 1
        assert by_depth[1] == 3
        assert by_depth[2] >= 3
        assert by_depth[3] >= by_depth[2]

    def test_every_employee_but_the_vp_has_a_manager_today(self, as_of: date) -> None:
        managers = org_selectors.manager_map(on=as_of)
        employed = set(Person.objects.employed_on(as_of).values_list("pk", flat=True))
        unmanaged = employed - set(managers)

        assert len(unmanaged) == 1
        assert Person.objects.get(pk=unmanaged.pop()).title == "VP of Sales"

    def test_managers_are_employed_when_people_report_to_them(self) -> None:
        for line in ReportingLine.objects.select_related("manager"):
            assert line.manager.hired_on <= line.effective_from
            assert line.manager.terminated_on is None

    def test_a_rep_changes_manager_in_the_middle_of_a_quarter(self, as_of: date) -> None:
        starts = quarter_starts()
        moves = [
            (first, second)
            for first, second in _consecutive_lines()
            if second.effective_from not in starts
        ]

        assert moves
        for first, second in moves:
            assert first.effective_to == second.effective_from  # the lines meet
            assert first.manager_id != second.manager_id
            assert date(2025, 1, 1) < second.effective_from <= as_of

    def test_a_seller_is_promoted_to_manager_and_takes_reports(self) -> None:
        promoted = [
            p
            for p in Person.objects.filter(title="Sales Manager")
            if p.reporting_lines.count() == 2
        ]
        assert len(promoted) == 1
        person = promoted[0]
        before, after = person.reporting_lines.order_by("effective_from")
        taken = ReportingLine.objects.filter(manager=person)

        assert before.effective_to == after.effective_from
        assert after.effective_from in quarter_starts()
        assert before.manager.title == "Sales Manager"
        assert after.manager.title.startswith("Regional Director")
        assert taken.exists()
        assert {line.effective_from for line in taken} == {after.effective_from}

    def test_some_people_leave_and_are_replaced(self, as_of: date) -> None:
        leavers = Person.objects.filter(terminated_on__isnull=False)

        assert leavers.exists()
        for person in leavers:
            assert date(2025, 1, 1) < person.terminated_on <= as_of
            assert person.reporting_lines.order_by("effective_from").last().effective_to == (
                person.terminated_on
            )
        assert Person.objects.filter(hired_on__gte=date(2025, 1, 1)).count() >= 2

    def test_team_memberships_follow_the_reporting_lines(self) -> None:
        lines = {
            (line.person_id, line.effective_from, line.effective_to)
            for line in ReportingLine.objects.all()
        }
        memberships = {
            (m.person_id, m.effective_from, m.effective_to)
            for m in TeamMembership.objects.select_related("team")
        }

        assert memberships == lines
        for m in TeamMembership.objects.select_related("team"):
            line = ReportingLine.objects.get(person=m.person, effective_from=m.effective_from)
            assert m.team.leader_id == line.manager_id

    def test_payees_are_paid_in_their_region_currency(self) -> None:
        currencies = Counter(Person.objects.values_list("currency", flat=True))

        assert set(currencies) == {"USD", "EUR", "GBP"}
        for person in Person.objects.filter(reporting_lines__isnull=False).distinct():
            boss = person.reporting_lines.order_by("effective_from").first().manager
            if boss.title.startswith("Sales Manager"):
                assert person.currency == boss.currency


def _consecutive_lines() -> list[tuple[ReportingLine, ReportingLine]]:
    pairs = []
    lines = list(ReportingLine.objects.order_by("person_id", "effective_from"))
    for first, second in pairwise(lines):
        if first.person_id == second.person_id:
            pairs.append((first, second))
    return pairs


def test_login_people_are_a_manager_and_a_rep_under_them(as_of: date) -> None:
    manager = Person.objects.get(user__username="manager")
    rep = Person.objects.get(user__username="rep")
    vp = Person.objects.get(user__username="vp")

    assert org_selectors.get_manager(person_id=rep.pk, on=as_of) == manager
    assert org_selectors.get_manager(person_id=vp.pk, on=as_of) is None
    assert rep.pk in org_selectors.subordinate_ids(manager_id=vp.pk, on=as_of)


def test_reference_rows_have_a_creation_in_the_audit_history() -> None:
    for model in (Person, ReportingLine, TeamMembership):
        created = model.history.filter(history_type="+")

        assert created.count() == model.objects.count()
        assert set(created.values_list("history_change_reason", flat=True)) == {
            "demo company generated"
        }
