"""API: statements."""

from ninja import Router

router = Router(tags=["comp"])
