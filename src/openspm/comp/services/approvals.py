"""Run approvals in steps (`APPROVAL_STEPS`: comp admin review, then finance approval).

A succeeded run is submitted (approval → pending). Each step is decided by a user holding
that step's role (administrators may act for any step) who did not approve the previous step.
A rejection at any step ends the approval (approval → rejected). Approving the last step
publishes the run: it becomes the period's approved run, and the run approved before it is
superseded in the same transaction (the database allows one approved run per period).
Every step is a `RunApproval` row, so who decided what, and when, stays on record.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from openspm.comp.models import APPROVAL_STEPS, CalcRun, RunApproval
from openspm.comp.services.adjustments import PeriodClosed
from openspm.core.access import Viewer, require_approver, require_edit, role_of
from openspm.core.errors import InvalidInput, NotFound, PermissionDenied
from openspm.core.models import User
from openspm.core.roles import Role
from openspm.plans.errors import ApprovalRefused


def _lock_run(run_id: int) -> CalcRun:
    run = CalcRun.objects.select_for_update().select_related("period").filter(pk=run_id).first()
    if run is None:
        raise NotFound("No such run.")
    return run


def _refuse_closed(run: CalcRun) -> None:
    if run.period.is_closed:
        raise PeriodClosed(
            f"{run.period.key} is closed: its published results are final. Post this run's "
            "differences as adjustments in the open period instead."
        )


def next_step(run: CalcRun) -> int | None:
    """The index of the step waiting for a decision, or None when none is (not pending)."""
    if run.approval != CalcRun.Approval.PENDING:
        return None
    return RunApproval.objects.filter(run=run).count()


def may_decide_step(viewer: Viewer, step: int) -> bool:
    """Whether the viewer's role may decide `step` (administrators may decide any)."""
    role = role_of(viewer)
    return role is Role.ADMINISTRATOR or (
        role is not None and role.value == APPROVAL_STEPS[step][0]
    )


def _check_decider(actor: Viewer, run: CalcRun) -> tuple[int, User]:
    require_approver(actor)
    if run.approval != CalcRun.Approval.PENDING:
        raise ApprovalRefused(
            f"Run {run.pk} is not awaiting approval ({run.get_approval_display().lower()})."
        )
    step = RunApproval.objects.filter(run=run).count()
    role, label = APPROVAL_STEPS[step]
    if not may_decide_step(actor, step):
        raise PermissionDenied(f"{label} is decided by a {Role(role).label.lower()}.")
    assert isinstance(actor, User)  # approvers are signed in
    return step, actor


@transaction.atomic
def submit_run(*, actor: Viewer, run_id: int) -> CalcRun:
    """Send a succeeded run for approval; one run per period waits at a time."""
    require_edit(actor)
    run = _lock_run(run_id)
    if run.status != CalcRun.Status.SUCCEEDED:
        raise ApprovalRefused(f"Run {run.pk} has not succeeded: only finished runs are approved.")
    if run.approval != CalcRun.Approval.NONE:
        raise ApprovalRefused(
            f"Run {run.pk} was already submitted ({run.get_approval_display().lower()})."
        )
    _refuse_closed(run)
    waiting = (
        CalcRun.objects.filter(period=run.period, approval=CalcRun.Approval.PENDING)
        .exclude(pk=run.pk)
        .first()
    )
    if waiting is not None:
        raise ApprovalRefused(
            f"Run {waiting.pk} of {run.period.key} is already awaiting approval: decide it first."
        )
    run.approval = CalcRun.Approval.PENDING
    run.save(update_fields=["approval", "updated_at"])
    return run


@transaction.atomic
def approve_run(*, actor: Viewer, run_id: int, comment: str = "") -> CalcRun:
    """Approve the step waiting on `run`; the last step publishes it."""
    run = _lock_run(run_id)
    step, user = _check_decider(actor, run)
    _refuse_closed(run)
    if step > 0:
        previous = RunApproval.objects.get(run=run, step=step - 1)
        if previous.actor_id == user.pk:
            raise ApprovalRefused(
                f"You approved {APPROVAL_STEPS[step - 1][1].lower()}: someone else must "
                f"decide {APPROVAL_STEPS[step][1].lower()}."
            )
    now = timezone.now()
    approval = RunApproval(
        run=run,
        step=step,
        role=APPROVAL_STEPS[step][0],
        decision=RunApproval.Decision.APPROVED,
        actor=user,
        comment=comment,
        decided_at=now,
    )
    approval.full_clean()
    approval.save()
    if step == len(APPROVAL_STEPS) - 1:
        _publish(run, now=now)
    return run


def _publish(run: CalcRun, *, now: object) -> None:
    """Supersede the period's approved run, then approve this one (the order matters: one
    approved run per period is a unique index, checked at each statement)."""
    CalcRun.objects.select_for_update().filter(
        period=run.period, approval=CalcRun.Approval.APPROVED
    ).exclude(pk=run.pk).update(approval=CalcRun.Approval.SUPERSEDED, updated_at=now)
    run.approval = CalcRun.Approval.APPROVED
    run.published_at = now  # type: ignore[assignment]
    run.save(update_fields=["approval", "published_at", "updated_at"])


@transaction.atomic
def reject_run(*, actor: Viewer, run_id: int, comment: str) -> CalcRun:
    """Reject the step waiting on `run`: the approval ends (a new run must be submitted)."""
    run = _lock_run(run_id)
    step, user = _check_decider(actor, run)
    if not comment.strip():
        raise InvalidInput("Say why the run is rejected.")
    approval = RunApproval(
        run=run,
        step=step,
        role=APPROVAL_STEPS[step][0],
        decision=RunApproval.Decision.REJECTED,
        actor=user,
        comment=comment,
        decided_at=timezone.now(),
    )
    approval.full_clean()
    approval.save()
    run.approval = CalcRun.Approval.REJECTED
    run.save(update_fields=["approval", "updated_at"])
    return run
