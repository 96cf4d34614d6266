"""Organisation endpoints: people, teams, team memberships, the reporting hierarchy and periods.

Reads go through `org.selectors` (the viewer's scope; a row outside it is a 404), writes
through `org.services` (only administrators and comp admins may write: 403).
"""

from datetime import date
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from openspm.core.access import require_edit
from openspm.core.errors import NotFound
from openspm.org import selectors, services
from openspm.org.models import Period, Person, ReportingLine, Team, TeamMembership
from openspm.org.schemas import (
    FiscalYearIn,
    ManagerChangeIn,
    PeriodOut,
    PersonFilter,
    PersonIn,
    PersonOut,
    PersonPatch,
    ReportingLineOut,
    TeamIn,
    TeamMembershipIn,
    TeamMembershipOut,
    TeamMembershipPatch,
    TeamOut,
    TeamPatch,
)

router = Router(tags=["org"])

M = TypeVar("M", bound=Model)


def _one(qs: QuerySet[M], pk: object, what: str) -> M:
    found = qs.filter(pk=pk).first()
    if found is None:
        raise NotFound(f"No such {what}.")
    return found


def _apply(obj: Model, changes: dict[str, Any]) -> None:
    for field, value in changes.items():
        setattr(obj, field, value)


# People -------------------------------------------------------------------------------------


@router.get("/people", response=list[PersonOut])
@paginate
def list_people(
    request: HttpRequest, filters: Query[PersonFilter], active_on: date | None = None
) -> QuerySet[Person]:
    return filters.filter(selectors.list_people(viewer=request.user, active_on=active_on))


@router.get("/people/{person_id}", response=PersonOut)
def get_person(request: HttpRequest, person_id: int) -> Person:
    return selectors.get_person(viewer=request.user, person_id=person_id)


@router.post("/people", response={201: PersonOut})
def create_person(request: HttpRequest, payload: PersonIn) -> tuple[int, Person]:
    person = services.save_person(actor=request.user, person=Person(**payload.model_dump()))
    return 201, person


@router.patch("/people/{person_id}", response=PersonOut)
def update_person(request: HttpRequest, person_id: int, payload: PersonPatch) -> Person:
    person = selectors.get_person(viewer=request.user, person_id=person_id)
    _apply(person, payload.model_dump(exclude_unset=True))
    return services.save_person(actor=request.user, person=person)


# Teams --------------------------------------------------------------------------------------


@router.get("/teams", response=list[TeamOut])
@paginate
def list_teams(request: HttpRequest, search: str = "") -> QuerySet[Team]:
    qs = selectors.list_teams(viewer=request.user)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return qs.order_by("name", "pk")


@router.get("/teams/{team_id}", response=TeamOut)
def get_team(request: HttpRequest, team_id: int) -> Team:
    return _one(selectors.list_teams(viewer=request.user), team_id, "team")


@router.post("/teams", response={201: TeamOut})
def create_team(request: HttpRequest, payload: TeamIn) -> tuple[int, Team]:
    return 201, services.save_team(actor=request.user, team=Team(**payload.model_dump()))


@router.patch("/teams/{team_id}", response=TeamOut)
def update_team(request: HttpRequest, team_id: int, payload: TeamPatch) -> Team:
    team = _one(selectors.list_teams(viewer=request.user), team_id, "team")
    _apply(team, payload.model_dump(exclude_unset=True))
    return services.save_team(actor=request.user, team=team)


# Team memberships ---------------------------------------------------------------------------


@transaction.atomic
@router.get("/team-memberships", response=list[TeamMembershipOut])
@paginate
def list_team_memberships(
    request: HttpRequest,
    team_id: int | None = None,
    person_id: int | None = None,
    active_on: date | None = None,
) -> QuerySet[TeamMembership]:
    qs = selectors.list_team_memberships(viewer=request.user)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    if active_on is not None:
        qs = qs.active_on(active_on)  # type: ignore[attr-defined]
    return qs.order_by("team__name", "effective_from", "pk")


@router.get("/team-memberships/{membership_id}", response=TeamMembershipOut)
def get_team_membership(request: HttpRequest, membership_id: int) -> TeamMembership:
    return _one(
        selectors.list_team_memberships(viewer=request.user), membership_id, "team membership"
    )


@router.post("/team-memberships", response={201: TeamMembershipOut})
def create_team_membership(
    request: HttpRequest, payload: TeamMembershipIn
) -> tuple[int, TeamMembership]:
    membership = TeamMembership(**payload.model_dump())
    return 201, services.save_team_membership(actor=request.user, membership=membership)


@router.patch("/team-memberships/{membership_id}", response=TeamMembershipOut)
def update_team_membership(
    request: HttpRequest, membership_id: int, payload: TeamMembershipPatch
) -> TeamMembership:
    membership = _one(
        selectors.list_team_memberships(viewer=request.user), membership_id, "team membership"
    )
    _apply(membership, payload.model_dump(exclude_unset=True))
    return services.save_team_membership(actor=request.user, membership=membership)


# Reporting lines ----------------------------------------------------------------------------


@router.get("/reporting-lines", response=list[ReportingLineOut])
@paginate
def list_reporting_lines(
    request: HttpRequest,
    on: date | None = None,
    person_id: int | None = None,
    manager_id: int | None = None,
) -> QuerySet[ReportingLine]:
    qs = selectors.list_reporting_lines(viewer=request.user, on=on)
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    if manager_id is not None:
        qs = qs.filter(manager_id=manager_id)
    return qs.order_by("person_id", "effective_from", "pk")


@router.get("/reporting-lines/{line_id}", response=ReportingLineOut)
def get_reporting_line(request: HttpRequest, line_id: int) -> ReportingLine:
    return _one(selectors.list_reporting_lines(viewer=request.user), line_id, "reporting line")


@router.post("/reporting-lines", response={201: ReportingLineOut, 204: None})
def change_manager(
    request: HttpRequest, payload: ManagerChangeIn
) -> tuple[int, ReportingLine | None]:
    """Change a person's manager from a date on; earlier history is kept (ends the old line)."""
    person = selectors.get_person(viewer=request.user, person_id=payload.person_id)
    require_edit(request.user)
    manager = None
    if payload.manager_id is not None:
        manager = selectors.get_person(viewer=request.user, person_id=payload.manager_id)
    services.set_manager(
        actor=request.user, person=person, manager=manager, on=payload.effective_from
    )
    if manager is None:
        return 204, None
    line = (
        selectors.list_reporting_lines(viewer=request.user, on=payload.effective_from)
        .filter(person_id=person.pk)
        .get()
    )
    return 201, line


# Periods ------------------------------------------------------------------------------------


@router.get("/periods", response=list[PeriodOut])
@paginate
def list_periods(
    request: HttpRequest,
    kind: Period.Kind | None = None,
    fiscal_year: int | None = None,
    status: Period.Status | None = None,
) -> QuerySet[Period]:
    qs = selectors.list_periods(kind=kind, fiscal_year=fiscal_year)
    if status:
        qs = qs.filter(status=status)
    return qs


@router.get("/periods/{key}", response=PeriodOut)
def get_period(request: HttpRequest, key: str) -> Period:
    return selectors.get_period(key=key)


@router.post("/fiscal-years", response={201: list[PeriodOut]})
def create_fiscal_year(request: HttpRequest, payload: FiscalYearIn) -> tuple[int, list[Period]]:
    """Create the fiscal year's periods (year, quarters, months) if missing; idempotent."""
    require_edit(request.user)
    return 201, services.ensure_fiscal_year(fiscal_year=payload.fiscal_year)
