"""The one NinjaAPI: every app's router under /api/v1, one OpenAPI document.

Every error, whatever raised it, has the body `{"error": <message>, "detail": <structure or
null>}`: 401 not authenticated, 403 role or token scope may not do this, 404 no such row or
not visible to you, 422 invalid input (ninja's schema validation and Django's
`ValidationError` alike), 400 a body that is not JSON.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from openspm.api.auth import session_auth, token_auth
from openspm.api.tokens import router as tokens_router
from openspm.comp.api import router as comp_router
from openspm.core.errors import OpenSPMError
from openspm.imports.api import router as imports_router
from openspm.org.api import router as org_router
from openspm.plans.api import router as plans_router
from openspm.quotas.api import router as quotas_router
from openspm.referrals.api import router as referrals_router
from openspm.sales.api import router as sales_router
from openspm.territories.api import router as territories_router


class DecimalJSONParser(Parser):
    """JSON bodies with every number that has a fraction or exponent read as `Decimal`, from its
    literal text: `0.1` becomes `Decimal("0.1")`, and no float ever exists. `NaN` and
    `Infinity` are refused (400)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(
            request.body, parse_float=Decimal, parse_constant=_refuse_constant
        )
        return parsed


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number")


api = NinjaAPI(
    title="OpenSPM API",
    version="1",
    description=(
        "Sales Performance Management. Money, rates and percentages are decimal strings. "
        'Errors are `{"error": message, "detail": structure or null}`. See docs/api.md.'
    ),
    auth=[session_auth, token_auth],
    parser=DecimalJSONParser(),
    urls_namespace="api",
)
api.add_router("/org", org_router)
api.add_router("/sales", sales_router)
api.add_router("/quotas", quotas_router)
api.add_router("/territories", territories_router)
api.add_router("/imports", imports_router)
api.add_router("/plans", plans_router)
api.add_router("/comp", comp_router)
api.add_router("/referrals", referrals_router)
api.add_router("/tokens", tokens_router)


def _error(request: HttpRequest, status: int, error: str, detail: object = None) -> HttpResponse:
    return api.create_response(request, {"error": error, "detail": detail}, status=status)


@api.exception_handler(OpenSPMError)
def handle_openspm_error(request: HttpRequest, exc: OpenSPMError) -> HttpResponse:
    return _error(request, exc.status, exc.message, exc.detail)


@api.exception_handler(ValidationError)
def handle_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    return _error(request, 422, "Invalid input.", detail)


@api.exception_handler(NinjaValidationError)
def handle_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    detail = [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type", "")}
        for e in exc.errors
    ]
    return _error(request, 422, "Invalid input.", detail)


@api.exception_handler(AuthenticationError)
def handle_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(request, 401, "Authentication required: sign in, or send a bearer token.")
    response["WWW-Authenticate"] = 'Bearer realm="openspm"'
    return response


@api.exception_handler(HttpError)
def handle_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, exc.message)


@api.exception_handler(Http404)
def handle_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "Not found.")
