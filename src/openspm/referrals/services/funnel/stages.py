"""A referral's way through review and the sales funnel, by hand or as a CRM event says.

Stages only move forward: submitted → lead → qualified → opportunity → won | lost. Reaching the
program's trigger creates the rewards (see `rewards.create_rewards`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from openspm.core.access import Viewer, require_approver, require_edit
from openspm.core.errors import InvalidInput
from openspm.referrals import selectors
from openspm.referrals.errors import InvalidTransition
from openspm.referrals.models import Referral
from openspm.referrals.services import campaigns, rewards, routing

ORDER = ["submitted", "lead", "qualified", "opportunity", "won"]
FOREIGN_KEYS = ["program", "referrer", "click", "account", "deal", "owner", "reviewed_by"]


@transaction.atomic
def review(*, actor: Viewer, referral_id: int, approve: bool) -> Referral:
    """A comp admin clears a flagged (or pending) referral, or rejects it."""
    require_approver(actor)
    referral = lock_referral(selectors.get_referral(viewer=actor, referral_id=referral_id).pk)
    if referral.status not in (Referral.Status.FLAGGED, Referral.Status.PENDING):
        raise InvalidTransition(f"This referral is {referral.get_status_display().lower()}.")
    referral.status = Referral.Status.APPROVED if approve else Referral.Status.CANCELLED
    referral.reviewed_by = actor  # type: ignore[assignment]
    referral.reviewed_at = timezone.now()
    referral.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
    if approve:
        rewards.create_rewards(referral=referral)
    else:
        rewards.cancel_open_rewards(referral=referral)
    return referral


def lock_referral(referral_id: int) -> Referral:
    return (
        Referral.objects.select_for_update()
        .select_related("program", "referrer", "referrer__program")
        .get(pk=referral_id)
    )


@dataclass(frozen=True)
class StageUpdate:
    stage: str
    at: datetime | None = None
    crm_lead_id: str = ""
    crm_opportunity_id: str = ""
    deal_amount: Decimal | None = None
    first_year_amount: Decimal | None = None
    account: dict[str, str] | None = None
    deal_external_id: str = ""
    paid: bool = False


def apply_update(referral: Referral, update: StageUpdate) -> Referral:
    from openspm.sales.models import Transaction

    at = update.at or timezone.now()
    before = (referral.stage, referral.paid_at)
    if referral.status == Referral.Status.CANCELLED:
        raise InvalidTransition("This referral is cancelled.")
    if update.stage == "lost":
        if referral.stage == "won":
            raise InvalidTransition("A won referral cannot be lost.")
        referral.stage = Referral.Stage.LOST
        referral.closed_at = at
    elif update.stage == "paid":
        if referral.stage != "won":
            raise InvalidTransition("Only a won referral can be paid.")
        referral.paid_at = referral.paid_at or at
    else:
        if referral.stage == "lost" or ORDER.index(update.stage) < ORDER.index(referral.stage):
            raise InvalidTransition(f"The referral is already at {referral.stage}.")
        referral.stage = update.stage
        if update.stage in ("qualified", "opportunity", "won") and not referral.qualified_at:
            referral.qualified_at = at
        if update.stage == "won":
            referral.won_at = referral.won_at or at
            referral.closed_at = referral.closed_at or at
    referral.crm_lead_id = update.crm_lead_id or referral.crm_lead_id
    referral.crm_opportunity_id = update.crm_opportunity_id or referral.crm_opportunity_id
    if update.deal_amount is not None:
        referral.deal_amount = update.deal_amount
    if update.first_year_amount is not None:
        referral.first_year_amount = update.first_year_amount
    if update.account and referral.account_id is None:
        referral.account = _link_account(update.account)
    if update.deal_external_id:
        referral.deal = Transaction.objects.filter(external_id=update.deal_external_id).first()
        if referral.deal is not None and referral.account is None:
            referral.account = referral.deal.account
    if referral.owner_id is None and referral.account is not None:
        referral.owner = routing.route_owner(referral=referral, on=at.date())
    # Every foreign key set above is a row just read, so skip their existence queries.
    referral.full_clean(exclude=FOREIGN_KEYS)
    referral.save()
    rewards.create_rewards(referral=referral)
    if (referral.stage, referral.paid_at) != before:  # a redelivered stage sends no email
        campaigns.queue_message(kind="milestone", referrer=referral.referrer, referral=referral)
    return referral


def _link_account(data: dict[str, str]) -> Any:
    """The CRM's account: found by external id, else by name, else created."""
    from openspm.sales.models import Account

    external_id = str(data.get("external_id", "")).strip()
    name = str(data.get("name", "")).strip()
    found = None
    if external_id:
        found = Account.objects.filter(external_id=external_id).first()
    if found is None and name:
        found = Account.objects.filter(name__iexact=name).first()
    if found is not None:
        return found
    if not external_id or not name:
        raise InvalidInput("A new account needs an external_id and a name.")
    account = Account(
        external_id=external_id,
        name=name,
        country=str(data.get("country", ""))[:2].upper(),
        region=str(data.get("region", "")),
        postal_code=str(data.get("postal_code", "")),
    )
    account.full_clean()
    account.save()
    return account


@transaction.atomic
def advance(*, actor: Viewer, referral_id: int, update: StageUpdate) -> Referral:
    """Move a referral by hand (comp admins), as the CRM webhook would."""
    require_edit(actor)
    referral = lock_referral(selectors.get_referral(viewer=actor, referral_id=referral_id).pk)
    return apply_update(referral, update)
