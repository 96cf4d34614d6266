"""Referral rewards in the comp ledger: each approved reward of a payee is one approved
`Adjustment` (source `referral`), so it shows on the payee's statement and in the payroll
export like any other pay.

The referrals app computes the reward with the engine (a `kind: referral` plan) and calls
`post_referral_reward` with plain values: comp knows nothing of referrals. Posting is
idempotent: the line's `reference` is unique, so posting the same reward twice returns the
line posted the first time.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from openspm.comp.models import Adjustment, CalcRun
from openspm.core.access import Viewer
from openspm.core.errors import InvalidInput, OpenSPMError
from openspm.core.models import User
from openspm.org.models import Period, Person

DEFAULT_PERIOD_KIND = Period.Kind.QUARTER


class NoOpenPeriod(OpenSPMError):
    """There is no open period to post the reward into."""

    status = 409
    code = "no_open_period"


def statement_period_kind() -> str:
    """The kind of period statements are made for: that of the latest calculation run, else
    quarters."""
    kind = (
        CalcRun.objects.order_by("-created_at", "-pk")
        .values_list("period__kind", flat=True)
        .first()
    )
    return kind or DEFAULT_PERIOD_KIND


def ledger_period(*, on: date) -> Period:
    """The period a reward released on `on` is paid in: the statement period containing `on`,
    or, when that one is closed, the first open one after it (as a retro adjustment)."""
    kind = statement_period_kind()
    period = (
        Period.objects.filter(kind=kind, status=Period.Status.OPEN, end_on__gte=on)
        .order_by("start_on")
        .first()
    )
    if period is None:
        raise NoOpenPeriod(
            f"No open {kind} on or after {on} to pay the referral reward in: add the periods "
            "of the fiscal year first."
        )
    return period


def find_posted(*, reference: str) -> Adjustment | None:
    return Adjustment.objects.filter(reference=reference).first()


@transaction.atomic
def post_referral_reward(
    *,
    actor: Viewer,
    reference: str,
    person: Person,
    amount: Decimal,
    currency: str,
    on: date,
    description: str,
    plan_code: str,
    component_id: str,
    transaction_ref: str = "",
    trace: dict[str, Any] | None = None,
) -> Adjustment:
    """Post an approved referral reward for `person` into the open period of `on`; once per
    `reference` (a second call returns the first line unchanged)."""
    if not reference:
        raise InvalidInput("A referral reward needs its reference.")
    posted = find_posted(reference=reference)
    if posted is not None:
        return posted
    if amount <= 0:
        raise InvalidInput("A referral reward must be more than zero.")
    user = actor if isinstance(actor, User) else None
    now = timezone.now()
    adjustment = Adjustment(
        person=person,
        period=ledger_period(on=on),
        amount=amount,
        currency=currency,
        reason_code=Adjustment.Reason.REFERRAL_REWARD,
        description=description,
        source=Adjustment.Source.REFERRAL,
        status=Adjustment.Status.APPROVED,
        plan_code=plan_code,
        component_id=component_id,
        transaction_ref=transaction_ref,
        reference=reference,
        trace=trace or {},
        created_by=user,
        decided_by=user,
        decided_at=now,
    )
    adjustment.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            adjustment.save()
    except IntegrityError:  # posted concurrently by another process: keep theirs
        existing = find_posted(reference=reference)
        if existing is None:
            raise
        return existing
    return adjustment
