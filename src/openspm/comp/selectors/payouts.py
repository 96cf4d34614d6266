"""Reads for payout operations: the approvals queue, a run's approval steps, adjustments,
and the periods finance closes, restricted to what the viewer may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, QuerySet

from openspm.comp.models import APPROVAL_STEPS, Adjustment, CalcRun, RunApproval
from openspm.comp.selectors import runs as run_selectors
from openspm.core.access import Viewer, is_internal
from openspm.core.errors import NotFound
from openspm.core.models import User
from openspm.org import selectors as org_selectors
from openspm.org.models import Period


def list_approval_queue(*, viewer: Viewer) -> QuerySet[CalcRun]:
    """Runs waiting for an approval step (approvers only), oldest first, with their steps."""
    return (
        run_selectors.list_runs(viewer=viewer)
        .filter(approval=CalcRun.Approval.PENDING)
        .annotate(steps_done=Count("approvals"))
        .order_by("created_at")
    )


def list_unsubmitted_runs(*, viewer: Viewer) -> QuerySet[CalcRun]:
    """Succeeded runs of open periods not yet sent for approval (newest first)."""
    return (
        run_selectors.list_runs(viewer=viewer)
        .filter(
            status=CalcRun.Status.SUCCEEDED,
            approval=CalcRun.Approval.NONE,
            period__status=Period.Status.OPEN,
        )
        .order_by("-finished_at", "-pk")
    )


@dataclass(frozen=True)
class Step:
    """One approval step of a run: who decides it, and what was decided (if anything)."""

    index: int
    role: str
    label: str
    decision: str
    actor: User | None
    decided_at: datetime | None
    comment: str
    is_next: bool


def list_steps(*, run: CalcRun) -> list[Step]:
    decided = {a.step: a for a in RunApproval.objects.filter(run=run).select_related("actor")}
    waiting = len(decided) if run.approval == CalcRun.Approval.PENDING else None
    steps = []
    for index, (role, label) in enumerate(APPROVAL_STEPS):
        row = decided.get(index)
        steps.append(
            Step(
                index=index,
                role=role,
                label=label,
                decision=row.decision if row else "",
                actor=row.actor if row else None,
                decided_at=row.decided_at if row else None,
                comment=row.comment if row else "",
                is_next=index == waiting,
            )
        )
    return steps


def list_adjustments(
    *,
    viewer: Viewer,
    period_key: str = "",
    status: str = "",
    source: str = "",
    reason_code: str = "",
    person_id: int | None = None,
) -> QuerySet[Adjustment]:
    """Adjustments of the payees the viewer sees (a rep their own, a manager their team's)."""
    qs = Adjustment.objects.select_related(
        "person", "period", "origin_period", "created_by", "decided_by"
    )
    if not is_internal(viewer):
        return qs.none()
    qs = org_selectors.restrict_to_people(qs, viewer=viewer)
    if period_key:
        qs = qs.filter(period__key=period_key)
    if status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    if reason_code:
        qs = qs.filter(reason_code=reason_code)
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    return qs.order_by("-created_at", "-pk")


def get_adjustment(*, viewer: Viewer, adjustment_id: int) -> Adjustment:
    adjustment = list_adjustments(viewer=viewer).filter(pk=adjustment_id).first()
    if adjustment is None:
        raise NotFound("No such adjustment.")
    return adjustment


def list_close_periods(*, viewer: Viewer) -> QuerySet[Period]:
    """Periods that have runs, newest first (the close page lists them)."""
    if not run_selectors.sees_runs(viewer):
        return Period.objects.none()
    return (
        Period.objects.filter(runs__isnull=False)
        .select_related("closed_by")
        .distinct()
        .order_by("-start_on", "end_on")
    )


def pending_adjustment_counts(*, period_ids: list[int]) -> dict[int, int]:
    rows = (
        Adjustment.objects.filter(period_id__in=period_ids, status=Adjustment.Status.PENDING)
        .values("period_id")
        .annotate(n=Count("pk"))
    )
    return {row["period_id"]: row["n"] for row in rows}


def published_run_ids(*, period_ids: list[int]) -> dict[int, int]:
    return dict(
        CalcRun.objects.filter(
            period_id__in=period_ids, approval=CalcRun.Approval.APPROVED
        ).values_list("period_id", "pk")
    )


def list_export_periods(*, viewer: Viewer) -> QuerySet[Period]:
    """Periods with a published run, newest first (what can be exported)."""
    if not run_selectors.sees_runs(viewer):
        return Period.objects.none()
    return (
        Period.objects.filter(runs__approval=CalcRun.Approval.APPROVED)
        .distinct()
        .order_by("-start_on", "end_on")
    )
