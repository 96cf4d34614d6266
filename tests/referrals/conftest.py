from __future__ import annotations

import pytest

SECRET = "test-webhook-secret"


@pytest.fixture(autouse=True)
def _webhook_secret(settings: pytest.FixtureRequest) -> None:
    settings.OPENSPM_REFERRAL_WEBHOOK_SECRET = SECRET  # type: ignore[attr-defined]
