"""API: payouts."""

from ninja import Router

router = Router(tags=["comp"])
