"""Background jobs of the referral app (django-tasks, database-backed queue)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_referral_message(message_id: int) -> str:
    """Send one outbox message; safe to run twice."""
    from openspm.referrals.services import campaigns

    return campaigns.send_message(message_id=message_id).status


@task()
def run_referral_housekeeping() -> dict[str, int]:
    """Daily: cancel expired referrals, remind idle referrers, post approved rewards to the
    comp ledger, drop old rate counters; queues the next day's run (safe to run twice)."""
    from openspm.referrals.services import housekeeping

    return housekeeping.run_daily()


@task()
def compute_referral_rewards(program_id: int) -> int:
    """Compute the rewards of the program's referrals that reached their trigger, through the
    engine, in one batch; safe to run twice (a second run finds nothing due)."""
    from openspm.referrals.services import rewards

    return len(rewards.compute_due_rewards(program_id=program_id))


@task()
def apply_webhook_event(event_pk: int) -> str:
    """Apply a stored CRM webhook event (and its referral's earlier ones, in order); safe to
    run twice (an event is applied or failed once). Returns the event's status."""
    from openspm.referrals.services import funnel

    return funnel.apply_webhook_event(event_pk=event_pk).status
