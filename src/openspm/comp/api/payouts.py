"""API: run approvals, adjustments, period close, retro differences and finance exports."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.pagination import paginate

from openspm.comp.models import Adjustment, CalcRun
from openspm.comp.selectors import payouts as selectors
from openspm.comp.selectors import runs as run_selectors
from openspm.comp.services import adjustments, approvals, close, exports
from openspm.core.access import require_edit
from openspm.core.errors import InvalidInput, NotFound
from openspm.org import selectors as org_selectors
from openspm.org.models import Period
from openspm.sales.schemas import AmountIn, CurrencyCode, DecimalText

router = Router(tags=["comp"])


class StepOut(Schema):
    step: int
    role: str
    label: str
    decision: str
    actor: str | None
    decided_at: datetime | None
    comment: str
    is_next: bool


class RunApprovalOut(Schema):
    id: int
    period: str
    status: str
    approval: str
    published_at: datetime | None
    next_step: int | None
    steps: list[StepOut]


class DecisionIn(Schema):
    approve: bool
    comment: str = ""


class AdjustmentOut(Schema):
    id: int
    person_id: int
    payee: str
    period: str
    amount: DecimalText
    currency: str
    reason_code: str
    description: str
    source: str
    status: str
    origin_period: str | None
    run_id: int | None
    plan_code: str
    component_id: str
    created_by: str | None
    decided_by: str | None
    decided_at: datetime | None
    decision_comment: str

    @staticmethod
    def resolve_payee(a: Adjustment) -> str:
        return a.person.external_id

    @staticmethod
    def resolve_period(a: Adjustment) -> str:
        return a.period.key

    @staticmethod
    def resolve_origin_period(a: Adjustment) -> str | None:
        return a.origin_period.key if a.origin_period else None

    @staticmethod
    def resolve_created_by(a: Adjustment) -> str | None:
        return a.created_by.username if a.created_by else None

    @staticmethod
    def resolve_decided_by(a: Adjustment) -> str | None:
        return a.decided_by.username if a.decided_by else None


class AdjustmentIn(Schema):
    person_id: int
    period: str
    amount: AmountIn
    currency: CurrencyCode
    reason_code: str
    description: str


class PeriodCloseOut(Schema):
    key: str
    status: str
    closed_at: datetime | None
    closed_by: str | None

    @staticmethod
    def resolve_closed_by(p: Period) -> str | None:
        return p.closed_by.username if p.closed_by else None


def _approval_out(run: CalcRun) -> dict[str, object]:
    return {
        "id": run.pk,
        "period": run.period.key,
        "status": run.status,
        "approval": run.approval,
        "published_at": run.published_at,
        "next_step": approvals.next_step(run),
        "steps": [
            {
                "step": s.index,
                "role": s.role,
                "label": s.label,
                "decision": s.decision,
                "actor": s.actor.username if s.actor else None,
                "decided_at": s.decided_at,
                "comment": s.comment,
                "is_next": s.is_next,
            }
            for s in selectors.list_steps(run=run)
        ],
    }


@router.get("/approvals", response=list[RunApprovalOut])
@paginate
def approval_queue(request: HttpRequest):  # type: ignore[no-untyped-def]
    """Runs waiting for an approval step (empty for roles that do not approve)."""
    return [_approval_out(run) for run in selectors.list_approval_queue(viewer=request.user)]


@router.get("/runs/{run_id}/approval", response=RunApprovalOut)
def run_approval(request: HttpRequest, run_id: int) -> dict[str, object]:
    return _approval_out(run_selectors.get_run(viewer=request.user, run_id=run_id))


@router.post("/runs/{run_id}/submit", response=RunApprovalOut)
def submit_run(request: HttpRequest, run_id: int) -> dict[str, object]:
    run_selectors.get_run(viewer=request.user, run_id=run_id)
    return _approval_out(approvals.submit_run(actor=request.user, run_id=run_id))


@router.post("/runs/{run_id}/decision", response=RunApprovalOut)
def decide_run(request: HttpRequest, run_id: int, payload: DecisionIn) -> dict[str, object]:
    """Approve (the last step publishes the run) or reject (with a comment) the next step."""
    run_selectors.get_run(viewer=request.user, run_id=run_id)
    if payload.approve:
        run = approvals.approve_run(actor=request.user, run_id=run_id, comment=payload.comment)
    else:
        run = approvals.reject_run(actor=request.user, run_id=run_id, comment=payload.comment)
    return _approval_out(run)


@router.post("/runs/{run_id}/differences", response={201: list[AdjustmentOut]})
def post_differences(request: HttpRequest, run_id: int) -> tuple[int, list[Adjustment]]:
    """A recalculation of a closed period: post its differences with the published run as
    approved retro adjustments in today's open period."""
    run_selectors.get_run(viewer=request.user, run_id=run_id)
    return 201, close.post_retro_adjustments(actor=request.user, run_id=run_id)


@router.get("/adjustments", response=list[AdjustmentOut])
@paginate
def list_adjustments(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    period: str = "",
    status: str = "",
    source: str = "",
    reason_code: str = "",
    person_id: int | None = None,
):
    return selectors.list_adjustments(
        viewer=request.user,
        period_key=period,
        status=status,
        source=source,
        reason_code=reason_code,
        person_id=person_id,
    )


@router.get("/adjustments/{adjustment_id}", response=AdjustmentOut)
def get_adjustment(request: HttpRequest, adjustment_id: int) -> Adjustment:
    return selectors.get_adjustment(viewer=request.user, adjustment_id=adjustment_id)


@router.post("/adjustments", response={201: AdjustmentOut})
def create_adjustment(request: HttpRequest, payload: AdjustmentIn) -> tuple[int, Adjustment]:
    """A pending manual adjustment (comp admins and administrators); someone else decides it."""
    require_edit(request.user)
    if payload.reason_code not in Adjustment.Reason.values:
        raise InvalidInput(
            f"Unknown reason code {payload.reason_code!r}.",
            detail={"reason_code": list(Adjustment.Reason.values)},
        )
    person = org_selectors.list_people(viewer=request.user).filter(pk=payload.person_id).first()
    if person is None:
        raise NotFound("No such person.")
    created = adjustments.create_adjustment(
        actor=request.user,
        person=person,
        period=org_selectors.get_period(key=payload.period),
        amount=Decimal(payload.amount),
        currency=payload.currency,
        reason_code=payload.reason_code,
        description=payload.description,
    )
    return 201, selectors.get_adjustment(viewer=request.user, adjustment_id=created.pk)


@router.post("/adjustments/{adjustment_id}/decision", response=AdjustmentOut)
def decide_adjustment(request: HttpRequest, adjustment_id: int, payload: DecisionIn) -> Adjustment:
    selectors.get_adjustment(viewer=request.user, adjustment_id=adjustment_id)
    adjustments.decide_adjustment(
        actor=request.user,
        adjustment_id=adjustment_id,
        approve=payload.approve,
        comment=payload.comment,
    )
    return selectors.get_adjustment(viewer=request.user, adjustment_id=adjustment_id)


@router.post("/periods/{key}/close", response=PeriodCloseOut)
def close_period(request: HttpRequest, key: str) -> Period:
    """Close a period (finance, administrators): it needs a published run and no pending
    adjustment; its results are then final."""
    return close.close_period(actor=request.user, period_key=key)


@router.get("/exports/{kind}")
def export(request: HttpRequest, kind: str, period: str) -> HttpResponse:
    """A CSV of the period's published results: `payroll`, `accruals` (the GL accrual
    journal), `capitalization` (the ASC 340-40 schedule) or `capitalization-journal`."""
    text = exports.export_csv(viewer=request.user, kind=kind, period_key=period)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-{period}.csv"'
    return response
