"""quotas endpoints."""

from ninja import Router

router = Router(tags=["quotas"])
