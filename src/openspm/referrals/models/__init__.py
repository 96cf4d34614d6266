"""Referrals' models: programs, referrers and clicks (`programs`); referrals, fraud signals
and rewards (`referrals`); the campaign outbox, CRM webhook events, rate-limit counters and
housekeeping runs (`operations`)."""

from openspm.referrals.models.operations import HousekeepingRun, Message, RateCounter, WebhookEvent
from openspm.referrals.models.programs import Click, Program, ProgramTier, Referrer
from openspm.referrals.models.referrals import FraudSignal, Referral, Reward

__all__ = [
    "Click",
    "FraudSignal",
    "HousekeepingRun",
    "Message",
    "Program",
    "ProgramTier",
    "RateCounter",
    "Referral",
    "Referrer",
    "Reward",
    "WebhookEvent",
]
