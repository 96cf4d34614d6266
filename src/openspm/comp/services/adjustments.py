"""Adjustments: manual amounts with a reason, approved by someone other than their author."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from openspm.comp.models import Adjustment, CalcRun
from openspm.core.access import Viewer, require_approver, require_edit
from openspm.core.errors import InvalidInput, NotFound
from openspm.core.models import User
from openspm.org.models import Period, Person
from openspm.plans.errors import ApprovalRefused


class PeriodClosed(InvalidInput):
    status = 409
    code = "period_closed"


@transaction.atomic
def create_adjustment(
    *,
    actor: Viewer,
    person: Person,
    period: Period,
    amount: Decimal,
    currency: str,
    reason_code: str,
    description: str,
    source: str = Adjustment.Source.MANUAL,
    origin_period: Period | None = None,
    run: CalcRun | None = None,
    plan_code: str = "",
    component_id: str = "",
    approved: bool = False,
) -> Adjustment:
    """A pending adjustment paid in `period` (which must be open). `approved=True` is for
    system-made adjustments (retro differences) whose cause is already approved."""
    if source != Adjustment.Source.RETRO:
        require_edit(actor)
    if period.is_closed:
        raise PeriodClosed(f"{period.key} is closed: post the adjustment in an open period.")
    if not description.strip():
        raise InvalidInput("Say what the adjustment is for.")
    if amount == 0:
        raise InvalidInput("An adjustment of zero changes nothing.")
    adjustment = Adjustment(
        person=person,
        period=period,
        amount=amount,
        currency=currency,
        reason_code=reason_code,
        description=description,
        source=source,
        origin_period=origin_period,
        run=run,
        plan_code=plan_code,
        component_id=component_id,
        created_by=actor if isinstance(actor, User) else None,
        status=Adjustment.Status.APPROVED if approved else Adjustment.Status.PENDING,
        decided_at=timezone.now() if approved else None,
    )
    adjustment.full_clean()
    adjustment.save()
    return adjustment


@transaction.atomic
def decide_adjustment(
    *, actor: Viewer, adjustment_id: int, approve: bool, comment: str = ""
) -> Adjustment:
    """Approve or reject a pending adjustment; its author may not decide it (four eyes)."""
    require_approver(actor)
    adjustment = Adjustment.objects.select_for_update().filter(pk=adjustment_id).first()
    if adjustment is None:
        raise NotFound("No such adjustment.")
    if adjustment.status != Adjustment.Status.PENDING:
        raise ApprovalRefused("This adjustment is already decided.")
    if adjustment.created_by_id is not None and adjustment.created_by_id == actor.pk:
        raise ApprovalRefused("You created this adjustment: someone else must decide it.")
    if not approve and not comment.strip():
        raise InvalidInput("Say why the adjustment is rejected.")
    adjustment.status = Adjustment.Status.APPROVED if approve else Adjustment.Status.REJECTED
    adjustment.decided_by = actor  # type: ignore[assignment]
    adjustment.decided_at = timezone.now()
    adjustment.decision_comment = comment
    adjustment.save(
        update_fields=["status", "decided_by", "decided_at", "decision_comment", "updated_at"]
    )
    return adjustment
