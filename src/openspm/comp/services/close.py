"""Period close, and what a recalculation of a closed period may still do.

Closing locks a period once its payouts are published and every adjustment paid in it is
decided. A closed period's published run and lines are never rewritten: a write that would
change them raises `PeriodClosed` (409). A closed period may still be recalculated (a run is
only a calculation); `post_retro_adjustments` then posts, per payee, plan and component, the
difference between that recalculation and the published run as approved adjustments paid in
the open period of the same kind that contains today, each saying what changed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from openspm.comp.models import Adjustment, CalcRun, PayoutLine
from openspm.comp.selectors import runs as run_selectors
from openspm.comp.services.adjustments import PeriodClosed, create_adjustment
from openspm.core.access import Viewer, require_approver, role_of
from openspm.core.errors import NotFound, OpenSPMError, PermissionDenied
from openspm.core.models import User
from openspm.core.roles import Role
from openspm.org import selectors as org_selectors
from openspm.org import services as org_services
from openspm.org.fiscal import fiscal_year_of
from openspm.org.models import Period

CLOSE_ROLES = frozenset({Role.ADMINISTRATOR, Role.FINANCE})


class CloseRefused(OpenSPMError):
    """The period cannot close yet (no published run, pending adjustments)."""

    status = 409
    code = "close_refused"


class NothingToPost(OpenSPMError):
    """The run is not a recalculation of a closed period, or its differences are posted."""

    status = 409
    code = "nothing_to_post"


def may_close(viewer: Viewer) -> bool:
    return role_of(viewer) in CLOSE_ROLES


def _set_period_closed(period: Period, *, by: User) -> None:
    """The one place the comp app writes `org.Period`: closing is comp's business rule."""
    period.status = Period.Status.CLOSED
    period.closed_at = timezone.now()
    period.closed_by = by
    period.full_clean()
    period.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])


def require_open(period: Period) -> None:
    """Raise PeriodClosed for a write that would change `period`'s results."""
    if period.is_closed:
        raise PeriodClosed(f"{period.key} is closed: its published results are final.")


@transaction.atomic
def close_period(*, actor: Viewer, period_key: str) -> Period:
    """Close `period_key` (finance or administrators): it must have a published run and no
    adjustment paid in it may still be pending."""
    if not may_close(actor):
        raise PermissionDenied("Only finance and administrators close periods.")
    period = Period.objects.select_for_update().filter(key=period_key).first()
    if period is None:
        raise NotFound(f"No period {period_key!r}.")
    require_open(period)
    if run_selectors.get_published_run(period=period) is None:
        raise CloseRefused(f"{period.key} has no published run: approve a run before closing.")
    pending = Adjustment.objects.filter(period=period, status=Adjustment.Status.PENDING).count()
    if pending:
        raise CloseRefused(
            f"{pending} adjustment{'s' if pending != 1 else ''} of {period.key} "
            f"{'are' if pending != 1 else 'is'} still pending: approve or reject them first.",
            detail={"pending_adjustments": pending},
        )
    assert isinstance(actor, User)
    _set_period_closed(period, by=actor)
    return period


# --- recalculating a closed period ----------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """One payee, plan and component whose payout a recalculation changed."""

    person_id: int
    plan_code: str
    component_id: str
    currency: str
    old_amount: Decimal
    new_amount: Decimal

    @property
    def amount(self) -> Decimal:
        return self.new_amount - self.old_amount


Key = tuple[int, str, str, str]


def _payouts(run: CalcRun) -> dict[Key, Decimal]:
    totals: dict[Key, Decimal] = defaultdict(Decimal)
    lines = PayoutLine.objects.filter(run=run).values_list(
        "person_id", "plan_code", "component_id", "currency", "amount"
    )
    for person_id, plan_code, component_id, currency, amount in lines:
        totals[(person_id, plan_code, component_id, currency)] += amount
    return totals


def payout_differences(*, published: CalcRun, recalculation: CalcRun) -> list[Difference]:
    """Per payee, plan, component and currency: published payout vs recalculated payout,
    only where they differ, in a stable order."""
    old, new = _payouts(published), _payouts(recalculation)
    found = []
    for key in sorted(old.keys() | new.keys(), key=lambda k: (k[0], k[1], k[2], k[3])):
        before, after = old.get(key, Decimal(0)), new.get(key, Decimal(0))
        if before != after:
            found.append(Difference(*key, old_amount=before, new_amount=after))
    return found


def recalculation_state(run: CalcRun) -> str:
    """Why differences can or cannot be posted from `run`: 'ready', 'posted', or a reason."""
    if not run.period.is_closed:
        return "period_open"
    if run.status != CalcRun.Status.SUCCEEDED:
        return "not_succeeded"
    if run.approval == CalcRun.Approval.APPROVED:
        return "published"
    if Adjustment.objects.filter(run=run, source=Adjustment.Source.RETRO).exists():
        return "posted"
    return "ready"


def current_open_period(*, kind: str, on: date) -> Period:
    """The period of `kind` containing `on`, made (with its fiscal year) when missing."""
    period = org_selectors.get_period_containing(on=on, kind=kind)
    if period is None:
        start_month = org_selectors.get_calendar().start_month
        org_services.ensure_fiscal_year(fiscal_year=fiscal_year_of(on, start_month))
        period = org_selectors.get_period_containing(on=on, kind=kind)
    if period is None:
        raise NotFound(f"No {kind} period contains {on}.")
    if period.is_closed:
        raise PeriodClosed(f"{period.key}, the current {kind}, is closed: reopen it first.")
    return period


def _fmt(amount: Decimal, currency: str) -> str:
    return f"{amount.quantize(Decimal('0.01')):,} {currency}"


@transaction.atomic
def post_retro_adjustments(
    *, actor: Viewer, run_id: int, on: date | None = None
) -> list[Adjustment]:
    """Post the differences between a recalculation of a closed period (`run_id`) and that
    period's published run, as approved retro adjustments in today's open period.

    The closed period's published run and lines are only read. Posting twice is refused.
    """
    require_approver(actor)
    run = CalcRun.objects.select_for_update().select_related("period").filter(pk=run_id).first()
    if run is None:
        raise NotFound("No such run.")
    state = recalculation_state(run)
    reasons = {
        "period_open": f"{run.period.key} is open: publish this run instead of posting its "
        "differences.",
        "not_succeeded": f"Run {run.pk} has not succeeded.",
        "published": f"Run {run.pk} is the published run of {run.period.key}.",
        "posted": f"Run {run.pk}'s differences are already posted.",
    }
    if state != "ready":
        raise NothingToPost(reasons[state])
    published = run_selectors.get_published_run(period=run.period)
    if published is None:
        raise NothingToPost(f"{run.period.key} has no published run to compare with.")
    differences = payout_differences(published=published, recalculation=run)
    if not differences:
        return []
    target = current_open_period(kind=run.period.kind, on=on or org_selectors.today())
    people = org_selectors.list_people(viewer=actor).in_bulk([d.person_id for d in differences])
    posted = []
    for difference in differences:
        component = difference.component_id or "(payee total)"
        description = (
            f"Recalculation of closed period {run.period.key} (run {run.pk}) changed plan "
            f"{difference.plan_code}, component {component}: published run {published.pk} paid "
            f"{_fmt(difference.old_amount, difference.currency)}, the recalculation pays "
            f"{_fmt(difference.new_amount, difference.currency)}; the difference "
            f"{_fmt(difference.amount, difference.currency)} is paid in {target.key}."
        )
        posted.append(
            create_adjustment(
                actor=actor,
                person=people[difference.person_id],
                period=target,
                amount=difference.amount,
                currency=difference.currency,
                reason_code=Adjustment.Reason.PRIOR_PERIOD,
                description=description,
                source=Adjustment.Source.RETRO,
                origin_period=run.period,
                run=run,
                plan_code=difference.plan_code,
                component_id=difference.component_id,
                approved=True,
            )
        )
    return posted
