"""Rewards: computed by the engine (the program's referral plan, `reward_plan`) in a job
queued when a referral reaches its program's trigger, held for the holding period, approved
by an approver (never while the referral is flagged), posted to the comp ledger (referrer
side, with a payee) so they are paid through payroll, then marked paid."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from openspm import engine
from openspm.comp.services import referral_ledger
from openspm.core.access import Viewer, require_approver
from openspm.referrals import selectors
from openspm.referrals.errors import InvalidTransition, RewardRulesInvalid
from openspm.referrals.models import Program, Referral, Reward
from openspm.referrals.services import campaigns, reward_plan


def trigger_at(referral: Referral) -> datetime | None:
    """When the referral reached its program's trigger, if it has."""
    return {
        Program.Trigger.QUALIFIED: referral.qualified_at,
        Program.Trigger.WON: referral.won_at,
        Program.Trigger.PAID: referral.paid_at,
    }[Program.Trigger(referral.program.trigger)]


def _capped(program: Program, amount: Decimal, committed: Decimal) -> Decimal:
    if program.budget_amount is None:
        return amount
    capped: Decimal = max(Decimal("0"), min(amount, program.budget_amount - committed))
    return capped


def _is_due(referral: Referral) -> bool:
    return (
        trigger_at(referral) is not None
        and referral.status not in (Referral.Status.FLAGGED, Referral.Status.CANCELLED)
        and not referral.rewards.exists()
    )


def create_rewards(*, referral: Referral) -> bool:
    """At its trigger, queue the computation of the referral's rewards (the
    `compute_referral_rewards` task, on commit): the engine runs in the worker, never in the
    request. Nothing while it is flagged or cancelled, or once it has rewards. True when
    queued."""
    if not _is_due(referral):
        return False
    from openspm.referrals import tasks

    transaction.on_commit(partial(tasks.compute_referral_rewards.enqueue, referral.program_id))
    return True


_TRIGGER_FIELD = {
    Program.Trigger.QUALIFIED: "qualified_at",
    Program.Trigger.WON: "won_at",
    Program.Trigger.PAID: "paid_at",
}


def due_referrals(*, program: Program) -> list[Referral]:
    """The program's referrals past their trigger, not flagged or cancelled, without rewards,
    in the order they reached it."""
    field = _TRIGGER_FIELD[Program.Trigger(program.trigger)]
    return list(
        Referral.objects.filter(
            program=program, rewards__isnull=True, **{f"{field}__isnull": False}
        )
        .exclude(status__in=[Referral.Status.FLAGGED, Referral.Status.CANCELLED])
        .select_related("referrer__person", "deal")
        .order_by(field, "pk")
    )


@transaction.atomic
def compute_due_rewards(*, program_id: int) -> list[Reward]:
    """Compute the rewards of every due referral of the program in one batch, through the
    engine (the program's referral plan, `reward_plan`), and create them `held` until their
    release date. Tiers count the referrer's earlier successes and the batch's, in trigger
    order; the budget then cuts the last reward to what is left and skips later ones. The
    program row is locked, so two workers never compute the same referral; running it again
    finds nothing to do."""
    program = Program.objects.select_for_update().get(pk=program_id)
    due = due_referrals(program=program)
    if not due:
        return []
    successes: dict[int, int] = dict(
        Reward.objects.filter(
            side=Reward.Side.REFERRER, referral__referrer_id__in={r.referrer_id for r in due}
        )
        .exclude(status=Reward.Status.CANCELLED)
        .values("referral__referrer_id")
        .annotate(n=Count("pk"))
        .values_list("referral__referrer_id", "n")
    )
    items = []
    for referral in due:
        referral.program = program
        successes[referral.referrer_id] = successes.get(referral.referrer_id, 0) + 1
        at = trigger_at(referral)
        assert at is not None  # due_referrals filters on the trigger field
        items.append(reward_plan.Due(referral, at.date(), successes[referral.referrer_id]))
    try:
        computed = reward_plan.compute(program=program, due=items)
    except engine.EngineError as error:
        raise RewardRulesInvalid(
            f"The reward rules of {program.name} are invalid: {error}"
        ) from error
    by_referral: dict[int, list[reward_plan.SideReward]] = defaultdict(list)
    for side in computed.rewards:
        by_referral[side.referral_id].append(side)
    committed = selectors.committed_reward_amount(program_id=program.pk)
    created: list[Reward] = []
    rewarded: list[Referral] = []
    for item in items:
        referral = item.referral
        count = len(created)
        for side in by_referral[referral.pk]:
            amount = _capped(program, side.amount, committed)
            if amount <= 0:
                continue
            committed += amount
            reward = Reward(
                referral=referral,
                program=program,
                side=side.side,
                amount=amount,
                currency=program.currency,
                release_on=item.on + timedelta(days=program.holding_days),
                payee=referral.referrer.person if side.side == Reward.Side.REFERRER else None,
                rule=side.rule,
                plan_code=computed.plan_id,
                plan_fingerprint=computed.plan_fingerprint,
                run_fingerprint=side.run_fingerprint,
            )
            reward.full_clean(validate_constraints=False)
            created.append(reward)
        if len(created) > count:
            rewarded.append(referral)
    bulk_create_with_history(created, Reward)
    for referral in rewarded:
        campaigns.queue_message(kind="reward", referrer=referral.referrer, referral=referral)
    return created


def ledger_reference(reward: Reward) -> str:
    return f"referral-reward-{reward.pk}"


def post_to_ledger(*, reward: Reward, actor: Viewer, on: date) -> bool:
    """Post an approved (or paid) referrer reward to the comp ledger, once: True when it is
    there. Referee rewards (a customer's credit, not pay), rewards of a referrer without a
    payee record, and rewards of a flagged or cancelled referral are not posted."""
    referral = reward.referral
    if reward.ledger_line_id is not None:
        return True
    if (
        reward.side != Reward.Side.REFERRER
        or reward.status not in (Reward.Status.APPROVED, Reward.Status.PAID)
        or referral.status in (Referral.Status.FLAGGED, Referral.Status.CANCELLED)
    ):
        return False
    if reward.payee_id is None and referral.referrer.person_id is not None:
        reward.payee_id = referral.referrer.person_id
    if reward.payee is None:
        return False
    program = reward.program
    deal = referral.deal
    who = referral.referee_company or referral.referee_name
    reward.ledger_line = referral_ledger.post_referral_reward(
        actor=actor,
        reference=ledger_reference(reward),
        person=reward.payee,
        amount=reward.amount,
        currency=reward.currency,
        on=on,
        description=f"{program.name}: referral of {who}",
        plan_code=reward.plan_code,
        component_id=reward.rule,
        transaction_ref=deal.external_id if deal is not None else "",
        trace={
            "program": program.name,
            "referral_id": referral.pk,
            "reward_id": reward.pk,
            "deal": deal.external_id if deal is not None else "",
            "rule": reward.rule,
            "plan_fingerprint": reward.plan_fingerprint,
            "run_fingerprint": reward.run_fingerprint,
        },
    )
    reward.save(update_fields=["payee", "ledger_line", "updated_at"])
    return True


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
    post_to_ledger(reward=reward, actor=actor, on=today)
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
    for reward in _postable().filter(pk__in=[r.pk for r in rows]):
        post_to_ledger(reward=reward, actor=actor, on=today)
    return len(rows)


def _postable() -> QuerySet[Reward]:
    return (
        Reward.objects.filter(
            side=Reward.Side.REFERRER,
            status__in=[Reward.Status.APPROVED, Reward.Status.PAID],
            ledger_line__isnull=True,
        )
        .exclude(referral__status__in=[Referral.Status.FLAGGED, Referral.Status.CANCELLED])
        .select_related("program", "payee", "referral__referrer", "referral__deal", "approved_by")
        .order_by("pk")
    )


@transaction.atomic
def post_approved_rewards(*, today: date | None = None) -> int:
    """Post every approved referrer reward not yet in the comp ledger whose referrer now has a
    payee record (housekeeping: a payee linked after approval). Idempotent."""
    today = today or timezone.localdate()
    posted = 0
    for reward in _postable().select_for_update(of=("self",)):
        if reward.payee_id is None and reward.referral.referrer.person_id is None:
            continue
        actor = reward.approved_by or AnonymousUser()
        posted += post_to_ledger(reward=reward, actor=actor, on=today)
    return posted


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
