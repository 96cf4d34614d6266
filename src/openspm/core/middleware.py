"""Renders `OpenSPMError` raised by pages as an error page (or an HTMX partial)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openspm.core.errors import OpenSPMError


class OpenSPMErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if request.path.startswith("/api/") or not isinstance(exception, OpenSPMError):
            return None
        template = "errors/_error.html" if getattr(request, "htmx", False) else "errors/error.html"
        return render(
            request,
            template,
            {"status": exception.status, "message": exception.message, "detail": exception.detail},
            status=exception.status,
        )
