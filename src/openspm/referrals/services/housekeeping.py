"""Daily upkeep, scheduled through the job queue: expire referrals that never reached their
trigger, nudge idle referrers, apply CRM webhook events whose job was lost (received over an
hour ago), compute the rewards of referrals whose computation task was lost, post approved
rewards whose referrer has since been given a payee record to the comp ledger (release), drop
old rate-limit counters.

`run_daily` is what the `run_referral_housekeeping` task does: it claims the UTC day (a
`HousekeepingRun` row, unique per date), queues the next day's task for `HOUR_UTC` with
django-tasks' `run_after`, then does the work. A second task on the same day (started twice,
retried, or a second chain) claims nothing and does nothing, so the chain stays single.
`schedule` starts the chain (`openspm referrals_housekeeping --schedule`).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from openspm.referrals.models import HousekeepingRun, Program, Referral
from openspm.referrals.services import campaigns, funnel, ratelimit, rewards

log = logging.getLogger(__name__)
HOUR_UTC = 2
STALE_CRM_EVENT = timedelta(hours=1)


@transaction.atomic
def expire_referrals() -> int:
    """Cancel open, reward-less referrals older than their program's expiry (per program: one
    UPDATE each)."""
    now = timezone.now()
    count = 0
    for program in Program.objects.all():
        count += (
            Referral.objects.filter(
                program=program,
                submitted_at__lt=now - timedelta(days=program.expiry_days),
                rewards__isnull=True,
            )
            .exclude(status=Referral.Status.CANCELLED)
            .exclude(stage__in=[Referral.Stage.WON, Referral.Stage.LOST])
            .update(status=Referral.Status.CANCELLED, closed_at=now, updated_at=now)
        )
    return count


def run() -> dict[str, int]:
    """Every housekeeping step once, now (each step is idempotent)."""
    expired = expire_referrals()
    reminded = sum(
        len(campaigns.remind_idle(program=p)) for p in Program.objects.filter(is_active=True)
    )
    crm_events = funnel.apply_stale_webhook_events(before=timezone.now() - STALE_CRM_EVENT)
    computed = sum(
        len(rewards.compute_due_rewards(program_id=p.pk)) for p in Program.objects.order_by("pk")
    )
    posted = rewards.post_approved_rewards()
    purged = ratelimit.purge(before=timezone.now() - timedelta(days=2))
    return {
        "expired": expired,
        "reminded": reminded,
        "crm_events": crm_events,
        "computed": computed,
        "posted": posted,
        "purged": purged,
    }


def next_run_at(now: datetime) -> datetime:
    """The next `HOUR_UTC` o'clock (UTC) after `now`."""
    now = now.astimezone(UTC)
    at = datetime.combine(now.date(), time(HOUR_UTC), tzinfo=UTC)
    return at if at > now else at + timedelta(days=1)


def schedule(*, now: datetime | None = None) -> datetime:
    """Queue a housekeeping task for the next `HOUR_UTC` o'clock, on commit; returns when."""
    from openspm.referrals import tasks

    at = next_run_at(now or timezone.now())
    transaction.on_commit(partial(tasks.run_referral_housekeeping.using(run_after=at).enqueue))
    return at


def run_daily(*, now: datetime | None = None) -> dict[str, int]:
    """Claim today (UTC), queue tomorrow's run, then run every step: `{"ran": 1, ...counts}`;
    `{"ran": 0}` when today was already claimed."""
    now = now or timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = HousekeepingRun.objects.create(
                    ran_on=now.astimezone(UTC).date(), ran_at=now
                )
        except IntegrityError:
            return {"ran": 0}
        schedule(now=now)
    result = run()
    HousekeepingRun.objects.filter(pk=claim.pk).update(result=result)
    log.info("referral housekeeping: %s", result)
    return {"ran": 1, **result}
