"""API authentication: the browser session (with CSRF) or a scoped bearer token.

A request is tried against the session first, then a token:

- **Session**: a signed-in browser. Unsafe methods need the CSRF token (`X-CSRFToken`). A
  request without a signed-in session is left to token auth, so an anonymous caller gets a 401
  (not a CSRF 403), and a token caller needs no CSRF token.
- **Token**: `Authorization: Bearer ospm_…`, created at `/api/v1/tokens` or with
  `openspm createtoken`. It acts as its user (the same rows are visible). Reads (GET, HEAD,
  OPTIONS) need scope `read`, other methods `write`; under `/imports/`, an import (POST) needs
  `import` and an export (GET) `read` or `import`.
  An unknown, revoked or expired key, or an inactive user, is a 401; a valid key without the
  scope is a 403.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from openspm.core.errors import PermissionDenied
from openspm.core.models import ApiToken, User

_SCOPE_BY_METHOD = {"GET": "read", "HEAD": "read", "OPTIONS": "read"}
IMPORT_PATH_SEGMENT = "/imports/"
# `last_used_at` is written at most this often per token, not on every request.
LAST_USED_GRANULARITY = timedelta(minutes=1)


def accepted_scopes(request: HttpRequest) -> tuple[str, ...]:
    """The scopes of which a token needs one for this request."""
    scope = _SCOPE_BY_METHOD.get(request.method or "GET", "write")
    if IMPORT_PATH_SEGMENT in request.path:
        return ("read", "import") if scope == "read" else ("import",)
    return (scope,)


class SessionAuth(NinjaSessionAuth):
    """Django's session, CSRF-checked, only when a user is signed in and no bearer is sent."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated or "authorization" in request.headers:
            return None
        return super().__call__(request)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer ospm_…`, narrowed by the token's scopes."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        api_token = (
            ApiToken.objects.active()
            .select_related("user")
            .filter(key_hash=ApiToken.hash_key(token))
            .first()
        )
        if api_token is None or not api_token.user.is_active:
            return None
        accepted = accepted_scopes(request)
        if not any(api_token.has_scope(scope) for scope in accepted):
            raise PermissionDenied(f"This token needs the {' or '.join(accepted)} scope.")
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_GRANULARITY:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        request.api_token = api_token  # type: ignore[attr-defined]
        return api_token.user


session_auth = SessionAuth(csrf=True)
token_auth = TokenAuth()
