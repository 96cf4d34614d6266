"""Reads of people, teams, the hierarchy and periods, restricted to what the viewer may see."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any, TypeVar

from django.db.models import Q, QuerySet
from django.utils import timezone

from openspm.core.access import ScopeKind, Viewer, scope_of
from openspm.core.errors import NotFound
from openspm.org.models import (
    FiscalCalendar,
    Period,
    Person,
    ReportingLine,
    Team,
    TeamMembership,
)

_QuerySetT = TypeVar("_QuerySetT", bound=QuerySet[Any])


def today() -> date:
    return timezone.localdate()


def get_viewer_person(*, viewer: Viewer) -> Person | None:
    """The payee record behind a login, if any."""
    if not viewer.is_authenticated:
        return None
    return Person.objects.filter(user_id=viewer.pk).first()


def manager_map(*, on: date) -> dict[int, int]:
    """person id → manager id, for the hierarchy as of `on` (one query)."""
    lines = ReportingLine.objects.active_on(on).values_list("person_id", "manager_id")
    return dict(lines)


def subordinate_ids(*, manager_id: int, on: date) -> set[int]:
    """Everyone below `manager_id` (at any depth) in the hierarchy as of `on`."""
    children: dict[int, list[int]] = defaultdict(list)
    for person_id, boss_id in manager_map(on=on).items():
        children[boss_id].append(person_id)
    found: set[int] = set()
    stack = list(children.get(manager_id, []))
    while stack:
        person_id = stack.pop()
        if person_id in found or person_id == manager_id:
            continue
        found.add(person_id)
        stack.extend(children.get(person_id, []))
    return found


def visible_person_ids(*, viewer: Viewer, on: date | None = None) -> set[int] | None:
    """The payees whose rows the viewer sees; None means every payee.

    Comp admins, finance and administrators see all; a manager sees themself and everyone
    below them in today's hierarchy; a rep sees themself; anyone else sees nobody.
    """
    scope = scope_of(viewer)
    if scope.kind is ScopeKind.ALL:
        return None
    me = get_viewer_person(viewer=viewer)
    if me is None or scope.kind in (ScopeKind.NONE, ScopeKind.PARTNER):
        return set()
    if scope.kind is ScopeKind.TEAM:
        return {me.pk} | subordinate_ids(manager_id=me.pk, on=on or today())
    return {me.pk}


def restrict_to_people(qs: _QuerySetT, *, viewer: Viewer, field: str = "person_id") -> _QuerySetT:
    """Narrow any queryset to rows whose `field` is a payee the viewer may see."""
    ids = visible_person_ids(viewer=viewer)
    if ids is None:
        return qs
    return qs.filter(**{f"{field}__in": ids})


def list_people(
    *, viewer: Viewer, search: str = "", active_on: date | None = None
) -> QuerySet[Person]:
    qs = restrict_to_people(Person.objects.select_related("user"), viewer=viewer, field="id")
    if search:
        qs = qs.filter(
            Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(external_id__icontains=search)
            | Q(email__icontains=search)
        )
    if active_on:
        qs = qs.employed_on(active_on)
    return qs


def get_person(*, viewer: Viewer, person_id: int) -> Person:
    person = list_people(viewer=viewer).filter(pk=person_id).first()
    if person is None:
        raise NotFound("No such person.")
    return person


def get_manager(*, person_id: int, on: date) -> Person | None:
    line = (
        ReportingLine.objects.active_on(on)
        .filter(person_id=person_id)
        .select_related("manager")
        .first()
    )
    return line.manager if line else None


def list_direct_reports(*, manager_id: int, on: date) -> QuerySet[Person]:
    report_ids = ReportingLine.objects.active_on(on).filter(manager_id=manager_id)
    return Person.objects.filter(pk__in=report_ids.values("person_id"))


def list_reporting_lines(*, viewer: Viewer, on: date | None = None) -> QuerySet[ReportingLine]:
    qs = restrict_to_people(
        ReportingLine.objects.select_related("person", "manager"), viewer=viewer
    )
    return qs.active_on(on) if on else qs


def list_teams(*, viewer: Viewer) -> QuerySet[Team]:
    ids = visible_person_ids(viewer=viewer)
    qs = Team.objects.select_related("leader")
    if ids is None:
        return qs
    member_of = TeamMembership.objects.active_on(today()).filter(person_id__in=ids)
    return qs.filter(Q(pk__in=member_of.values("team_id")) | Q(leader_id__in=ids)).distinct()


def list_team_memberships(*, viewer: Viewer) -> QuerySet[TeamMembership]:
    return restrict_to_people(
        TeamMembership.objects.select_related("team", "person"), viewer=viewer
    )


def get_calendar() -> FiscalCalendar:
    calendar = FiscalCalendar.objects.order_by("pk").first()
    return calendar or FiscalCalendar(name="Fiscal calendar", start_month=1)


def list_periods(*, kind: str | None = None, fiscal_year: int | None = None) -> QuerySet[Period]:
    qs = Period.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    if fiscal_year:
        qs = qs.filter(fiscal_year=fiscal_year)
    return qs


def get_period(*, key: str) -> Period:
    period = Period.objects.filter(key=key).first()
    if period is None:
        raise NotFound(f"No period {key!r}.")
    return period


def get_period_containing(*, on: date, kind: str) -> Period | None:
    return Period.objects.filter(kind=kind, start_on__lte=on, end_on__gte=on).first()


def list_manager_chain(*, person_id: int, on: date) -> list[Person]:
    """The person's manager, their manager, and so on up to the top, as of `on` (two queries)."""
    managers = manager_map(on=on)
    chain: list[int] = []
    current = person_id
    while current in managers and len(chain) < 100:
        current = managers[current]
        if current in chain or current == person_id:
            break
        chain.append(current)
    found = Person.objects.in_bulk(chain)
    return [found[pk] for pk in chain if pk in found]
