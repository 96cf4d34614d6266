"""API: disputes."""

from ninja import Router

router = Router(tags=["comp"])
