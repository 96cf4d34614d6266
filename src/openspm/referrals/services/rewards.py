"""Rewards: computed when a referral reaches its program's trigger, held for the holding
period, approved by a comp admin (never while the referral is flagged), then paid."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from openspm.core.access import Viewer, require_approver
from openspm.referrals import selectors
from openspm.referrals.errors import InvalidTransition
from openspm.referrals.models import Program, ProgramTier, Referral, Reward
from openspm.referrals.services import campaigns

CENT = Decimal("0.01")


def trigger_at(referral: Referral) -> datetime | None:
    """When the referral reached its program's trigger, if it has."""
    return {
        Program.Trigger.QUALIFIED: referral.qualified_at,
        Program.Trigger.WON: referral.won_at,
        Program.Trigger.PAID: referral.paid_at,
    }[Program.Trigger(referral.program.trigger)]


def referrer_amount(*, program: Program, referral: Referral, successes: int) -> Decimal:
    """The referrer's reward: the tier reached by this success (the `successes + 1`-th), else
    the program's rule; fixed, or a rate of the first deal or of first-year value."""
    tier = (
        ProgramTier.objects.filter(program=program, min_successes__lte=successes + 1)
        .order_by("-min_successes")
        .first()
    )
    amount = tier.reward_amount if tier and tier.reward_amount is not None else None
    rate = tier.reward_rate if tier and tier.reward_rate is not None else None
    if amount is None and rate is None:
        amount, rate = program.reward_amount, program.reward_rate
    if program.reward_kind == Program.RewardKind.FIXED or rate is None:
        fixed: Decimal = (amount or Decimal("0")).quantize(CENT, ROUND_HALF_UP)
        return fixed
    base = referral.deal_amount
    if program.reward_kind == Program.RewardKind.PERCENT_FIRST_YEAR:
        base = referral.first_year_amount or referral.deal_amount
    share: Decimal = ((base or Decimal("0")) * rate).quantize(CENT, ROUND_HALF_UP)
    return share


def _capped(program: Program, amount: Decimal, committed: Decimal) -> Decimal:
    if program.budget_amount is None:
        return amount
    capped: Decimal = max(Decimal("0"), min(amount, program.budget_amount - committed))
    return capped


def create_rewards(*, referral: Referral) -> list[Reward]:
    """Rewards for a referral at its trigger; none while it is flagged or cancelled, or once
    it has them. Called inside the funnel's transaction, with the referral locked."""
    at = trigger_at(referral)
    if (
        at is None
        or referral.status in (Referral.Status.FLAGGED, Referral.Status.CANCELLED)
        or referral.rewards.exists()
    ):
        return []
    program = Program.objects.select_for_update().get(pk=referral.program_id)
    committed = selectors.committed_reward_amount(program_id=program.pk)
    successes = selectors.successful_referral_count(referrer_id=referral.referrer_id)
    release_on = at.date() + timedelta(days=program.holding_days)
    sides = [
        (
            Reward.Side.REFERRER,
            referrer_amount(program=program, referral=referral, successes=successes),
        )
    ]
    if program.referee_reward_amount:
        sides.append((Reward.Side.REFEREE, program.referee_reward_amount.quantize(CENT)))
    rewards = []
    for side, wanted in sides:
        amount = _capped(program, wanted, committed)
        if amount <= 0:
            continue
        committed += amount
        reward = Reward(
            referral=referral,
            program=program,
            side=side,
            amount=amount,
            currency=program.currency,
            release_on=release_on,
            payee=referral.referrer.person if side == Reward.Side.REFERRER else None,
        )
        reward.full_clean()
        rewards.append(reward)
    bulk_create_with_history(rewards, Reward)
    if rewards:
        campaigns.queue_message(kind="reward", referrer=referral.referrer, referral=referral)
    return rewards


@transaction.atomic
def approve_reward(*, actor: Viewer, reward_id: int, today: date | None = None) -> Reward:
    require_approver(actor)
    reward = selectors.get_reward(viewer=actor, reward_id=reward_id)
    reward = Reward.objects.select_for_update().select_related("referral").get(pk=reward.pk)
    today = today or timezone.localdate()
    if reward.status != Reward.Status.HELD:
        raise InvalidTransition(f"This reward is {reward.get_status_display().lower()}.")
    if reward.referral.status in (Referral.Status.FLAGGED, Referral.Status.CANCELLED):
        raise InvalidTransition("The referral is flagged or cancelled: review it first.")
    if reward.release_on > today:
        raise InvalidTransition(f"The holding period runs until {reward.release_on}.")
    reward.status = Reward.Status.APPROVED
    reward.approved_by = actor  # type: ignore[assignment]
    reward.approved_at = timezone.now()
    reward.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    if reward.referral.status == Referral.Status.PENDING:
        reward.referral.status = Referral.Status.APPROVED
        reward.referral.save(update_fields=["status", "updated_at"])
    return reward


@transaction.atomic
def approve_due_rewards(*, actor: Viewer, today: date | None = None) -> int:
    """Approve every held reward past its holding period whose referral is not flagged (one
    UPDATE)."""
    require_approver(actor)
    today = today or timezone.localdate()
    due = Reward.objects.filter(status=Reward.Status.HELD, release_on__lte=today).exclude(
        referral__status__in=[Referral.Status.FLAGGED, Referral.Status.CANCELLED]
    )
    rows = list(due.select_for_update(of=("self",)))
    now = timezone.now()
    for reward in rows:
        reward.status = Reward.Status.APPROVED
        reward.approved_by = actor  # type: ignore[assignment]
        reward.approved_at = now
        reward.updated_at = now
    bulk_update_with_history(
        rows, Reward, ["status", "approved_by", "approved_at", "updated_at"], batch_size=500
    )
    referral_ids = [r.referral_id for r in rows]
    for referral in Referral.objects.filter(pk__in=referral_ids, status=Referral.Status.PENDING):
        referral.status = Referral.Status.APPROVED
        referral.save(update_fields=["status", "updated_at"])
    return len(rows)


@transaction.atomic
def mark_paid(*, actor: Viewer, reward_id: int) -> Reward:
    require_approver(actor)
    reward = Reward.objects.select_for_update().get(
        pk=selectors.get_reward(viewer=actor, reward_id=reward_id).pk
    )
    if reward.status != Reward.Status.APPROVED:
        raise InvalidTransition("Only an approved reward can be paid.")
    reward.status = Reward.Status.PAID
    reward.paid_at = timezone.now()
    reward.save(update_fields=["status", "paid_at", "updated_at"])
    unpaid = reward.referral.rewards.exclude(
        Q(status=Reward.Status.PAID) | Q(status=Reward.Status.CANCELLED)
    )
    if not unpaid.exists():
        referral = reward.referral
        referral.status = Referral.Status.REWARDED
        referral.save(update_fields=["status", "updated_at"])
    return reward


def cancel_open_rewards(*, referral: Referral) -> int:
    return referral.rewards.filter(status=Reward.Status.HELD).update(
        status=Reward.Status.CANCELLED, updated_at=timezone.now()
    )
