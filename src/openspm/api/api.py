"""The one NinjaAPI: every app's router under /api/v1, one OpenAPI document."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from openspm.api.auth import session_auth, token_auth
from openspm.core.errors import OpenSPMError
from openspm.imports.api import router as imports_router
from openspm.org.api import router as org_router
from openspm.quotas.api import router as quotas_router
from openspm.sales.api import router as sales_router
from openspm.territories.api import router as territories_router

api = NinjaAPI(
    title="OpenSPM API",
    version="1",
    description="Sales Performance Management. Money is carried as decimal strings.",
    auth=[session_auth, token_auth],
    urls_namespace="api",
)
api.add_router("/org", org_router)
api.add_router("/sales", sales_router)
api.add_router("/quotas", quotas_router)
api.add_router("/territories", territories_router)
api.add_router("/imports", imports_router)


@api.exception_handler(OpenSPMError)
def handle_openspm_error(request: HttpRequest, exc: OpenSPMError) -> HttpResponse:
    return api.create_response(
        request, {"error": exc.message, "detail": exc.detail}, status=exc.status
    )


@api.exception_handler(ValidationError)
def handle_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    return api.create_response(request, {"error": "invalid", "detail": detail}, status=422)
