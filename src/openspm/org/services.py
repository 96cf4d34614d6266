"""Writes to people, teams, the hierarchy and the fiscal calendar. Each is atomic."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from openspm.core.access import Viewer, require_edit
from openspm.core.errors import InvalidInput
from openspm.org.fiscal import fiscal_periods
from openspm.org.models import (
    FiscalCalendar,
    Period,
    Person,
    ReportingLine,
    Team,
    TeamMembership,
)


@transaction.atomic
def save_person(*, actor: Viewer, person: Person) -> Person:
    """Create or update a person after validating every field."""
    require_edit(actor)
    person.full_clean()
    person.save()
    return person


@transaction.atomic
def save_team(*, actor: Viewer, team: Team) -> Team:
    require_edit(actor)
    team.full_clean()
    team.save()
    return team


@transaction.atomic
def save_team_membership(*, actor: Viewer, membership: TeamMembership) -> TeamMembership:
    require_edit(actor)
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def set_manager(*, actor: Viewer, person: Person, manager: Person | None, on: date) -> None:
    """From `on`, `person` reports to `manager` (or to nobody). Earlier history is kept.

    The line active on `on` is ended there; lines starting after `on` are rejected rather than
    silently overwritten.
    """
    require_edit(actor)
    if manager is not None and manager.pk == person.pk:
        raise InvalidInput("A person cannot report to themself.")
    later = ReportingLine.objects.filter(person=person, effective_from__gt=on)
    if later.exists():
        raise InvalidInput(
            f"{person} already has a reporting change after {on}; change that one first."
        )
    current = ReportingLine.objects.active_on(on).filter(person=person).first()
    if current is not None:
        if current.effective_from == on:
            current.delete()
        else:
            current.effective_to = on
            current.full_clean()
            current.save(update_fields=["effective_to", "updated_at"])
    if manager is not None:
        if person.pk in _chain_above(manager.pk, on):
            raise InvalidInput(f"{manager} already reports to {person}: that would make a loop.")
        line = ReportingLine(person=person, manager=manager, effective_from=on)
        line.full_clean()
        line.save()


def _chain_above(person_id: int, on: date) -> list[int]:
    chain: list[int] = []
    current = person_id
    managers = dict(ReportingLine.objects.active_on(on).values_list("person_id", "manager_id"))
    while current in managers and len(chain) < 1000:
        current = managers[current]
        if current in chain:
            break
        chain.append(current)
    return chain


@transaction.atomic
def configure_calendar(*, actor: Viewer, start_month: int) -> FiscalCalendar:
    require_edit(actor)
    calendar = FiscalCalendar.objects.order_by("pk").first() or FiscalCalendar()
    if calendar.pk and calendar.start_month != start_month and calendar.periods.exists():
        raise InvalidInput("The fiscal year start cannot change once periods exist.")
    calendar.start_month = start_month
    calendar.full_clean()
    calendar.save()
    return calendar


@transaction.atomic
def ensure_fiscal_year(*, fiscal_year: int) -> list[Period]:
    """Create the year's periods if missing (idempotent); returns them in order."""
    calendar = FiscalCalendar.objects.order_by("pk").first()
    if calendar is None:
        calendar = FiscalCalendar.objects.create(name="Fiscal calendar", start_month=1)
    spans = fiscal_periods(fiscal_year, calendar.start_month)
    existing = set(Period.objects.filter(fiscal_year=fiscal_year).values_list("key", flat=True))
    Period.objects.bulk_create(
        [
            Period(
                calendar=calendar,
                key=s.key,
                kind=s.kind,
                fiscal_year=s.fiscal_year,
                number=s.number,
                start_on=s.start_on,
                end_on=s.end_on,
            )
            for s in spans
            if s.key not in existing
        ]
    )
    return list(Period.objects.filter(fiscal_year=fiscal_year).order_by("start_on", "-end_on"))
