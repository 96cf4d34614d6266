"""Import and export endpoints."""

from ninja import Router

router = Router(tags=["imports"])
