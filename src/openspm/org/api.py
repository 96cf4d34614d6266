"""Organisation endpoints: people, teams, the reporting hierarchy and periods."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from openspm.core.errors import NotFound
from openspm.org import selectors, services
from openspm.org.models import Person, Team
from openspm.org.schemas import (
    ManagerChangeIn,
    PeriodOut,
    PersonFilter,
    PersonIn,
    PersonOut,
    PersonPatch,
    ReportingLineOut,
    TeamIn,
    TeamOut,
)

router = Router(tags=["org"])


@router.get("/people", response=list[PersonOut])
@paginate
def list_people(request: HttpRequest, filters: PersonFilter = Query(...)):  # type: ignore[no-untyped-def]
    return filters.filter(selectors.list_people(viewer=request.user))


@router.get("/people/{person_id}", response=PersonOut)
def get_person(request: HttpRequest, person_id: int) -> Person:
    return selectors.get_person(viewer=request.user, person_id=person_id)


@router.post("/people", response={201: PersonOut})
def create_person(request: HttpRequest, payload: PersonIn) -> tuple[int, Person]:
    person = services.save_person(actor=request.user, person=Person(**payload.dict()))
    return 201, person


@router.patch("/people/{person_id}", response=PersonOut)
def update_person(request: HttpRequest, person_id: int, payload: PersonPatch) -> Person:
    person = selectors.get_person(viewer=request.user, person_id=person_id)
    for field, value in payload.dict(exclude_unset=True).items():
        setattr(person, field, value)
    return services.save_person(actor=request.user, person=person)


@router.get("/teams", response=list[TeamOut])
@paginate
def list_teams(request: HttpRequest):  # type: ignore[no-untyped-def]
    return selectors.list_teams(viewer=request.user)


@router.post("/teams", response={201: TeamOut})
def create_team(request: HttpRequest, payload: TeamIn) -> tuple[int, Team]:
    return 201, services.save_team(actor=request.user, team=Team(**payload.dict()))


@router.get("/reporting-lines", response=list[ReportingLineOut])
@paginate
def list_reporting_lines(request: HttpRequest, on: date | None = None):  # type: ignore[no-untyped-def]
    return selectors.list_reporting_lines(viewer=request.user, on=on)


@router.post("/reporting-lines", response={204: None})
def change_manager(request: HttpRequest, payload: ManagerChangeIn) -> tuple[int, None]:
    person = selectors.get_person(viewer=request.user, person_id=payload.person_id)
    manager = None
    if payload.manager_id is not None:
        manager = Person.objects.filter(pk=payload.manager_id).first()
        if manager is None:
            raise NotFound("No such manager.")
    services.set_manager(
        actor=request.user, person=person, manager=manager, on=payload.effective_from
    )
    return 204, None


@router.get("/periods", response=list[PeriodOut])
@paginate
def list_periods(request: HttpRequest, kind: str | None = None, fiscal_year: int | None = None):  # type: ignore[no-untyped-def]
    return selectors.list_periods(kind=kind, fiscal_year=fiscal_year)
