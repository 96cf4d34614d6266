"""Disputes: a payee's inquiry about a statement line, handled by comp staff.

Workflow: open → in review → resolved or rejected; a resolved or rejected dispute is closed and
changes no more. Comp admins and administrators take, review and decide disputes; a payee, their
manager and comp staff comment. A resolution with an amount creates a pending adjustment
(source "dispute") in today's open period of the disputed period's kind; that adjustment still
needs its own four-eyes approval.

SLA: a dispute is due `SLA_BUSINESS_DAYS` business days (Monday to Friday in UTC; holidays are
not known) after it was opened, at the same time of day.

E-mails are sent after the transaction commits (`comp.notify`): on opening to the assignee and
the comp admins, to the payee on every comment that is not internal and on the decision. They
are sent robustly: a mail server that is down is logged and never undoes the committed change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from openspm.comp import notify
from openspm.comp.models import Adjustment, Dispute, DisputeComment, EarningLine, PayoutLine
from openspm.comp.selectors import disputes as selectors
from openspm.comp.services import adjustments, close
from openspm.core.access import Viewer, require_internal
from openspm.core.errors import InvalidInput, NotFound, OpenSPMError, PermissionDenied
from openspm.core.models import User
from openspm.org import selectors as org_selectors

SLA_BUSINESS_DAYS = 5

# What each category's resolution pays as (an adjustment's reason code).
CATEGORY_REASONS: dict[str, str] = {
    Dispute.Category.MISSING_CREDIT: Adjustment.Reason.MISSING_CREDIT,
    Dispute.Category.WRONG_RATE: Adjustment.Reason.WRONG_RATE,
    Dispute.Category.WRONG_PAYMENT: Adjustment.Reason.WRONG_PAYMENT,
    Dispute.Category.OTHER: Adjustment.Reason.OTHER,
}

ACTIONS = ("take", "review", "resolve", "reject")


class DisputeClosed(OpenSPMError):
    """The dispute is resolved or rejected, or the transition is not allowed from its status."""

    status = 409
    code = "dispute_closed"


def _after_commit(send: Callable[..., int], **arguments: int | str) -> None:
    """Send a notification once the transaction commits; a failure is logged, not raised."""

    def deliver() -> None:
        send(**arguments)

    deliver.__qualname__ = f"comp.notify.{send.__name__}"
    transaction.on_commit(deliver, robust=True)


def due_after(opened_at: datetime, *, business_days: int = SLA_BUSINESS_DAYS) -> datetime:
    """`opened_at` plus `business_days` weekdays (UTC), at the same time of day."""
    moment = opened_at
    added = 0
    while added < business_days:
        moment += timedelta(days=1)
        if moment.astimezone(UTC).weekday() < 5:
            added += 1
    return moment


@transaction.atomic
def open_dispute(
    *,
    actor: Viewer,
    category: str,
    subject: str,
    body: str,
    earning_line_id: int | None = None,
    payout_line_id: int | None = None,
    site_url: str = "",
) -> Dispute:
    """Open an inquiry about a line the actor sees (a payee's own, or a manager's team's)."""
    line = selectors.get_disputable_line(
        viewer=actor, earning_line_id=earning_line_id, payout_line_id=payout_line_id
    )
    require_internal(actor)
    assert isinstance(actor, User)
    if category not in Dispute.Category.values:
        raise InvalidInput(
            f"Unknown category {category!r}.", detail={"category": list(Dispute.Category.values)}
        )
    if not subject.strip() or not body.strip():
        raise InvalidInput("Give the inquiry a subject and say what is wrong.")
    now = timezone.now()
    dispute = Dispute(
        person=line.person,
        period=line.run.period,
        run=line.run,
        earning_line=line if isinstance(line, EarningLine) else None,
        payout_line=line if isinstance(line, PayoutLine) else None,
        trace=selectors.line_trace(line),
        category=category,
        subject=subject.strip(),
        body=body.strip(),
        opened_by=actor,
        due_at=due_after(now),
    )
    dispute.full_clean()
    dispute.save()
    _after_commit(notify.dispute_opened, dispute_id=dispute.pk, site_url=site_url)
    return dispute


def _locked(*, actor: Viewer, dispute_id: int) -> Dispute:
    """The dispute, if the actor sees it, locked for the rest of the transaction."""
    selectors.get_dispute(viewer=actor, dispute_id=dispute_id)
    dispute = Dispute.objects.select_for_update().filter(pk=dispute_id).first()
    if dispute is None:
        raise NotFound("No such dispute.")
    return dispute


@transaction.atomic
def comment_on_dispute(
    *, actor: Viewer, dispute_id: int, body: str, is_internal: bool = False, site_url: str = ""
) -> DisputeComment:
    """Add to the thread; internal notes (comp staff only) are hidden from the payee."""
    dispute = _locked(actor=actor, dispute_id=dispute_id)
    require_internal(actor)
    assert isinstance(actor, User)
    if is_internal and not selectors.sees_internal_comments(actor):
        raise PermissionDenied("Only comp admins, finance and administrators write internal notes.")
    if dispute.status not in selectors.OPEN_STATUSES:
        raise DisputeClosed("This dispute is closed: open a new inquiry.")
    if not body.strip():
        raise InvalidInput("Write something.")
    comment = DisputeComment(
        dispute=dispute, author=actor, body=body.strip(), is_internal=is_internal
    )
    comment.full_clean()
    comment.save()
    dispute.save(update_fields=["updated_at"])
    if not is_internal:
        _after_commit(notify.dispute_commented, comment_id=comment.pk, site_url=site_url)
    return comment


@transaction.atomic
def transition_dispute(
    *,
    actor: Viewer,
    dispute_id: int,
    action: str,
    resolution: str = "",
    amount: Decimal | None = None,
    site_url: str = "",
) -> Dispute:
    """`take` (assign to the actor), `review` (open → in review), `resolve` or `reject` (in
    review → closed; rejecting needs a resolution text). Resolving with a non-zero `amount`
    creates a pending dispute adjustment in the line's currency."""
    dispute = _locked(actor=actor, dispute_id=dispute_id)
    require_internal(actor)
    if not selectors.handles_disputes(actor):
        raise PermissionDenied("Only comp admins and administrators handle disputes.")
    assert isinstance(actor, User)
    if action not in ACTIONS:
        raise InvalidInput(f"Unknown action {action!r}.", detail={"action": list(ACTIONS)})
    if dispute.status not in selectors.OPEN_STATUSES:
        raise DisputeClosed(f"This dispute is already {dispute.get_status_display().lower()}.")
    fields = ["updated_at"]
    if action == "take" or dispute.assignee_id is None:
        dispute.assignee = actor
        fields.append("assignee")
    if action == "review":
        if dispute.status != Dispute.Status.OPEN:
            raise DisputeClosed("This dispute is already in review.")
        dispute.status = Dispute.Status.IN_REVIEW
        fields.append("status")
    elif action in ("resolve", "reject"):
        if dispute.status != Dispute.Status.IN_REVIEW:
            raise DisputeClosed("Review the dispute before deciding it.")
        _decide(dispute, actor=actor, action=action, resolution=resolution, amount=amount)
        fields += ["status", "resolution", "resolved_at", "adjustment"]
        _after_commit(notify.dispute_decided, dispute_id=dispute.pk, site_url=site_url)
    elif amount is not None or resolution:
        raise InvalidInput("Only a resolution or a rejection takes an amount or a text.")
    dispute.full_clean()
    dispute.save(update_fields=fields)
    return dispute


def _decide(
    dispute: Dispute, *, actor: User, action: str, resolution: str, amount: Decimal | None
) -> None:
    if action == "reject":
        if not resolution.strip():
            raise InvalidInput("Say why the dispute is rejected.")
        if amount is not None:
            raise InvalidInput("A rejection pays nothing: leave the amount empty.")
        dispute.status = Dispute.Status.REJECTED
    else:
        dispute.status = Dispute.Status.RESOLVED
        if amount is not None and amount != 0:
            dispute.adjustment = _adjust(dispute, actor=actor, amount=amount, text=resolution)
    dispute.resolution = resolution.strip()
    dispute.resolved_at = timezone.now()


def _adjust(dispute: Dispute, *, actor: User, amount: Decimal, text: str) -> Adjustment:
    if not isinstance(amount, Decimal):
        raise InvalidInput("An amount must be a decimal number.")
    period = close.current_open_period(kind=dispute.period.kind, on=org_selectors.today())
    trace = dispute.trace
    currency = str(trace.get("currency") or dispute.person.currency)
    description = f"Dispute {dispute.pk}: {dispute.subject}"
    if text.strip():
        description += f" — {text.strip()}"
    return adjustments.create_adjustment(
        actor=actor,
        person=dispute.person,
        period=period,
        amount=amount,
        currency=currency,
        reason_code=CATEGORY_REASONS[dispute.category],
        description=description,
        source=Adjustment.Source.DISPUTE,
        origin_period=dispute.period,
        plan_code=str(trace.get("plan_code") or ""),
        component_id=str(trace.get("component_id") or ""),
    )
