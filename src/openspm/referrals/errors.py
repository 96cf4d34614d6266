"""The referral app's expected failures."""

from __future__ import annotations

from openspm.core.errors import OpenSPMError


class RateLimited(OpenSPMError):
    """Too many requests from this IP or for this referrer in the current window."""

    status = 429
    code = "rate_limited"


class SpamRejected(OpenSPMError):
    """The submission looks automated (honeypot filled or submitted too fast)."""

    status = 422
    code = "spam_rejected"


class ProgramClosed(OpenSPMError):
    """The program is not accepting referrals."""

    status = 409
    code = "program_closed"


class InvalidTransition(OpenSPMError):
    """The referral or reward is not in a state that allows this."""

    status = 409
    code = "invalid_transition"


class WebhookRejected(OpenSPMError):
    """A CRM webhook with a bad or missing signature, or a stale timestamp."""

    status = 401
    code = "webhook_rejected"


class WebhookReplay(OpenSPMError):
    """A CRM webhook event id already processed."""

    status = 409
    code = "webhook_replay"


class RewardRulesInvalid(OpenSPMError):
    """The program's reward rules do not compile to a valid referral plan."""

    status = 422
    code = "reward_rules_invalid"
