"""Daily upkeep: expire referrals that never reached their trigger, nudge idle referrers,
drop old rate-limit counters."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from openspm.referrals.models import Program, Referral
from openspm.referrals.services import campaigns, ratelimit


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
    expired = expire_referrals()
    reminded = sum(
        len(campaigns.remind_idle(program=p)) for p in Program.objects.filter(is_active=True)
    )
    purged = ratelimit.purge(before=timezone.now() - timedelta(days=2))
    return {"expired": expired, "reminded": reminded, "purged": purged}
