"""API shapes owned by the `api` app: tokens and the error body."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field


class ErrorOut(Schema):
    """Every error: a human message and, where there is one, structured detail."""

    error: str
    detail: object = None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The key's first characters, to recognise it")
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenCreatedOut(TokenOut):
    key: str = Field(description="The raw key. Shown once: only its hash is stored.")


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[str] = Field(default_factory=lambda: ["read"], description="read, write, import")
    expires_at: datetime | None = None
