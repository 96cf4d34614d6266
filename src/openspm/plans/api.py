"""Plan endpoints: plans, versions (draft → pending → published), validation, diffs, assignments."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from openspm.core.errors import NotFound
from openspm.org.models import Person, Team
from openspm.plans import selectors, services
from openspm.plans.documents import DocumentIssue, check_document
from openspm.plans.models import Plan, PlanAcceptance, PlanAssignment, PlanVersion
from openspm.plans.schemas import (
    AssignmentIn,
    AssignmentOut,
    DecisionIn,
    DiffLineOut,
    DraftIn,
    IssueOut,
    PlanIn,
    PlanOut,
    ValidateIn,
    VersionOut,
)

router = Router(tags=["plans"])


@router.get("/plans", response=list[PlanOut])
@paginate
def list_plans(request: HttpRequest):  # type: ignore[no-untyped-def]
    return selectors.list_plans(viewer=request.user)


@router.post("/plans", response={201: VersionOut})
def create_plan(request: HttpRequest, payload: PlanIn) -> tuple[int, PlanVersion]:
    return 201, services.create_plan(actor=request.user, **payload.dict())


@router.get("/plans/{plan_id}", response=PlanOut)
def get_plan(request: HttpRequest, plan_id: int) -> Plan:
    return selectors.get_plan(viewer=request.user, plan_id=plan_id)


@router.get("/plans/{plan_id}/versions", response=list[VersionOut])
@paginate
def list_versions(request: HttpRequest, plan_id: int):  # type: ignore[no-untyped-def]
    selectors.get_plan(viewer=request.user, plan_id=plan_id)
    return selectors.list_versions(viewer=request.user, plan_id=plan_id)


@router.post("/plans/{plan_id}/versions", response={201: VersionOut})
def new_draft(request: HttpRequest, plan_id: int) -> tuple[int, PlanVersion]:
    selectors.get_plan(viewer=request.user, plan_id=plan_id)
    return 201, services.new_draft(actor=request.user, plan_id=plan_id)


@router.get("/versions/{version_id}", response=VersionOut)
def get_version(request: HttpRequest, version_id: int) -> PlanVersion:
    return selectors.get_version(viewer=request.user, version_id=version_id)


@router.patch("/versions/{version_id}", response=VersionOut)
def update_draft(request: HttpRequest, version_id: int, payload: DraftIn) -> PlanVersion:
    selectors.get_version(viewer=request.user, version_id=version_id)
    return services.update_draft(actor=request.user, version_id=version_id, **payload.dict())


@router.post("/versions/{version_id}/validate", response=list[IssueOut])
def validate(request: HttpRequest, version_id: int, payload: ValidateIn) -> list[DocumentIssue]:
    version = selectors.get_version(viewer=request.user, version_id=version_id)
    return check_document(payload.text, code=version.plan.code, number=version.number)


@router.post("/versions/{version_id}/submit", response=VersionOut)
def submit(request: HttpRequest, version_id: int) -> PlanVersion:
    selectors.get_version(viewer=request.user, version_id=version_id)
    return services.submit_version(actor=request.user, version_id=version_id)


@router.post("/versions/{version_id}/decision", response=VersionOut)
def decide(request: HttpRequest, version_id: int, payload: DecisionIn) -> PlanVersion:
    selectors.get_version(viewer=request.user, version_id=version_id)
    if payload.approve:
        return services.approve_version(
            actor=request.user, version_id=version_id, comment=payload.comment
        )
    return services.reject_version(
        actor=request.user, version_id=version_id, comment=payload.comment
    )


@router.post("/versions/{version_id}/accept", response={201: None})
def accept(request: HttpRequest, version_id: int) -> tuple[int, None]:
    acceptance: PlanAcceptance = services.accept_version(actor=request.user, version_id=version_id)
    assert acceptance.pk
    return 201, None


@router.get("/versions/{old_id}/diff/{new_id}", response=list[DiffLineOut])
def diff(request: HttpRequest, old_id: int, new_id: int):  # type: ignore[no-untyped-def]
    return selectors.diff_versions(viewer=request.user, old_id=old_id, new_id=new_id)


@router.get("/plans/{plan_id}/assignments", response=list[AssignmentOut])
@paginate
def list_assignments(request: HttpRequest, plan_id: int):  # type: ignore[no-untyped-def]
    return selectors.list_assignments(viewer=request.user, plan_id=plan_id)


@router.post("/plans/{plan_id}/assignments", response={201: AssignmentOut})
def assign(request: HttpRequest, plan_id: int, payload: AssignmentIn) -> tuple[int, PlanAssignment]:
    selectors.get_plan(viewer=request.user, plan_id=plan_id)
    person = team = None
    if payload.person_id is not None:
        person = Person.objects.filter(pk=payload.person_id).first()
        if person is None:
            raise NotFound("No such person.")
    if payload.team_id is not None:
        team = Team.objects.filter(pk=payload.team_id).first()
        if team is None:
            raise NotFound("No such team.")
    return 201, services.assign_plan(
        actor=request.user,
        plan_id=plan_id,
        person=person,
        team=team,
        title=payload.title,
        effective_from=payload.effective_from,
        effective_to=payload.effective_to,
    )
