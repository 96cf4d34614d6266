"""API authentication: the browser session (with CSRF) or a scoped bearer token."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from openspm.core.models import ApiToken

_SCOPE_BY_METHOD = {"GET": "read", "HEAD": "read", "OPTIONS": "read"}


class TokenAuth(HttpBearer):
    """`Authorization: Bearer ospm_…`. Reads need scope `read`, writes `write`, imports `import`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = (
            ApiToken.objects.active()
            .select_related("user")
            .filter(key_hash=ApiToken.hash_key(token))
            .first()
        )
        if api_token is None or not api_token.user.is_active:
            return None
        needed = _SCOPE_BY_METHOD.get(request.method or "GET", "write")
        if "/import/" in request.path:
            needed = "import"
        if not api_token.has_scope(needed):
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        return api_token.user


session_auth = SessionAuth(csrf=True)
token_auth = TokenAuth()
