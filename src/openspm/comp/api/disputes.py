"""API: disputes — list, detail, open, comment, and the workflow (take, review, resolve,
reject)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from openspm.comp.models import Dispute, DisputeComment
from openspm.comp.selectors import disputes as selectors
from openspm.comp.services import disputes as services
from openspm.sales.schemas import AmountIn, DecimalText

router = Router(tags=["comp"])


class DisputeOut(Schema):
    id: int
    person_id: int
    payee: str
    period: str
    run_id: int
    earning_line_id: int | None
    payout_line_id: int | None
    category: str
    subject: str
    body: str
    status: str
    assignee: str | None
    opened_by: str
    opened_at: datetime
    due_at: datetime
    is_overdue: bool
    resolved_at: datetime | None
    resolution: str
    adjustment_id: int | None
    line_amount: DecimalText | None
    currency: str
    trace: dict[str, Any]

    @staticmethod
    def resolve_payee(d: Dispute) -> str:
        return d.person.external_id

    @staticmethod
    def resolve_period(d: Dispute) -> str:
        return d.period.key

    @staticmethod
    def resolve_assignee(d: Dispute) -> str | None:
        return d.assignee.username if d.assignee else None

    @staticmethod
    def resolve_opened_by(d: Dispute) -> str:
        return d.opened_by.username

    @staticmethod
    def resolve_opened_at(d: Dispute) -> datetime:
        return d.created_at

    @staticmethod
    def resolve_line_amount(d: Dispute) -> Decimal | None:
        return selectors.trace_amount(d)

    @staticmethod
    def resolve_currency(d: Dispute) -> str:
        return str(d.trace.get("currency", ""))


class CommentOut(Schema):
    id: int
    author: str
    body: str
    is_internal: bool
    created_at: datetime

    @staticmethod
    def resolve_author(c: DisputeComment) -> str:
        return c.author.username


class DisputeDetailOut(DisputeOut):
    comments: list[CommentOut]

    @staticmethod
    def resolve_comments(d: Dispute) -> list[DisputeComment]:
        return d.comments_seen  # type: ignore[attr-defined,no-any-return]


class DisputeIn(Schema):
    earning_line_id: int | None = None
    payout_line_id: int | None = None
    category: str
    subject: str
    body: str


class CommentIn(Schema):
    body: str
    is_internal: bool = False


class TransitionIn(Schema):
    action: str
    resolution: str = ""
    amount: AmountIn | None = None


def _site(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _detail(request: HttpRequest, dispute_id: int) -> Dispute:
    dispute = selectors.get_dispute(viewer=request.user, dispute_id=dispute_id)
    dispute.comments_seen = selectors.list_comments(viewer=request.user, dispute=dispute)  # type: ignore[attr-defined]
    return dispute


@router.get("/disputes", response=list[DisputeOut])
@paginate
def list_disputes(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    status: str = "",
    assignee_id: int | None = None,
    unassigned: bool = False,
    overdue: bool | None = None,
    person_id: int | None = None,
):
    """Disputes of the payees the viewer sees (a rep their own, a manager their team's)."""
    return selectors.list_disputes(
        viewer=request.user,
        status=status,
        assignee_id=assignee_id,
        unassigned=unassigned,
        overdue=overdue,
        person_id=person_id,
    )


@router.get("/disputes/{dispute_id}", response=DisputeDetailOut)
def get_dispute(request: HttpRequest, dispute_id: int) -> Dispute:
    """One dispute with its thread (internal notes only for comp staff)."""
    return _detail(request, dispute_id)


@router.post("/disputes", response={201: DisputeDetailOut})
def open_dispute(request: HttpRequest, payload: DisputeIn) -> tuple[int, Dispute]:
    """Question one earning or payout line the viewer sees; comp admins are e-mailed."""
    dispute = services.open_dispute(
        actor=request.user,
        earning_line_id=payload.earning_line_id,
        payout_line_id=payload.payout_line_id,
        category=payload.category,
        subject=payload.subject,
        body=payload.body,
        site_url=_site(request),
    )
    return 201, _detail(request, dispute.pk)


@router.post("/disputes/{dispute_id}/comments", response={201: CommentOut})
def comment(request: HttpRequest, dispute_id: int, payload: CommentIn) -> tuple[int, object]:
    """Reply on the thread; `is_internal` notes (comp staff) are hidden from the payee."""
    return 201, services.comment_on_dispute(
        actor=request.user,
        dispute_id=dispute_id,
        body=payload.body,
        is_internal=payload.is_internal,
        site_url=_site(request),
    )


@router.post("/disputes/{dispute_id}/transition", response=DisputeDetailOut)
def transition(request: HttpRequest, dispute_id: int, payload: TransitionIn) -> Dispute:
    """`take`, `review` (open → in review), `resolve` (optionally with an adjustment `amount`)
    or `reject` (with a `resolution`); comp admins and administrators."""
    services.transition_dispute(
        actor=request.user,
        dispute_id=dispute_id,
        action=payload.action,
        resolution=payload.resolution,
        amount=Decimal(payload.amount) if payload.amount is not None else None,
        site_url=_site(request),
    )
    return _detail(request, dispute_id)
