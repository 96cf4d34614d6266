"""Writes (and the owner's reads) of API tokens. The raw key is returned once, never stored."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from openspm.core.access import Viewer
from openspm.core.errors import InvalidInput, NotFound
from openspm.core.models import ApiToken, User

PREFIX_LENGTH = 12


def parse_scopes(scopes: Iterable[str]) -> list[str]:
    """Validated, de-duplicated scopes in their canonical order (read, write, import)."""
    wanted = {s.strip() for s in scopes if s.strip()}
    unknown = sorted(wanted - set(ApiToken.SCOPES))
    if unknown:
        raise InvalidInput(
            f"Unknown scope(s): {', '.join(unknown)}.",
            detail={"scopes": [f"Choose from {', '.join(ApiToken.SCOPES)}."]},
        )
    if not wanted:
        raise InvalidInput("A token needs at least one scope.", detail={"scopes": ["Required."]})
    return [s for s in ApiToken.SCOPES if s in wanted]


@transaction.atomic
def create_api_token(
    *, user: User, name: str, scopes: Iterable[str], expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it with its raw key, which is shown once only.

    Only the key's SHA-256 is stored. The token acts as `user` (same visible rows), further
    limited by its scopes.
    """
    if not user.is_active:
        raise InvalidInput("Inactive users cannot have API tokens.")
    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidInput("Invalid input.", detail={"expires_at": ["Must be in the future."]})
    key = ApiToken.new_key()
    token = ApiToken(
        user=user,
        name=name.strip(),
        prefix=key[:PREFIX_LENGTH],
        key_hash=ApiToken.hash_key(key),
        scopes=parse_scopes(scopes),
        expires_at=expires_at,
    )
    token.full_clean()
    token.save()
    return token, key


def list_api_tokens(*, viewer: Viewer) -> QuerySet[ApiToken]:
    """The viewer's own tokens, newest first (revoked and expired ones included)."""
    if not viewer.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user_id=viewer.pk)


@transaction.atomic
def revoke_api_token(*, actor: Viewer, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens (idempotent); anyone else's is a 404."""
    token = list_api_tokens(viewer=actor).select_for_update().filter(pk=token_id).first()
    if token is None:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token
