"""A referral's way through review and the sales funnel (`stages`), by hand or from the CRM
webhook (`webhook`).

Stages only move forward: submitted → lead → qualified → opportunity → won | lost. Reaching the
program's trigger creates the rewards (see `rewards.create_rewards`).
"""

from openspm.referrals.services.funnel.stages import (
    FOREIGN_KEYS,
    ORDER,
    StageUpdate,
    advance,
    review,
)
from openspm.referrals.services.funnel.webhook import (
    EVENTS,
    TOLERANCE_SECONDS,
    WRITER_LOCK,
    apply_stale_webhook_events,
    apply_webhook_event,
    handle_webhook,
    sign,
    verify,
)

__all__ = [
    "EVENTS",
    "FOREIGN_KEYS",
    "ORDER",
    "TOLERANCE_SECONDS",
    "WRITER_LOCK",
    "StageUpdate",
    "advance",
    "apply_stale_webhook_events",
    "apply_webhook_event",
    "handle_webhook",
    "review",
    "sign",
    "verify",
]
