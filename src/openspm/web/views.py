"""Pages that span several apps: home, person and account pages, audit; and liveness."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from openspm.core.access import require_internal
from openspm.web import selectors


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", selectors.home_figures(viewer=request.user))


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_internal(request.user)
    return render(
        request, "web/person.html", selectors.person_page(viewer=request.user, person_id=pk)
    )


@login_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_internal(request.user)
    return render(
        request, "web/account.html", selectors.account_page(viewer=request.user, account_id=pk)
    )


class AuditFilterForm(forms.Form):
    model = forms.CharField(required=False)
    user = forms.IntegerField(required=False, min_value=1)
    page = forms.IntegerField(required=False, min_value=1)


@login_required
def audit(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    model_label, user_id, number = "", None, 1
    if form.is_valid():
        model_label = form.cleaned_data["model"]
        user_id = form.cleaned_data["user"]
        number = form.cleaned_data["page"] or 1
    page = selectors.list_audit_entries(
        viewer=request.user, model_label=model_label, user_id=user_id, page=number
    )
    context = {
        "form": form,
        "page": page,
        "entries": page.entries,
        "models": [(m._meta.label, m._meta.verbose_name) for m in selectors.audited_models()],
        "users": selectors.list_audit_users(),
        "model_label": model_label,
        "user_id": user_id,
    }
    htmx = getattr(request, "htmx", None)
    template = "web/_audit.html" if htmx and not htmx.boosted else "web/audit.html"
    return render(request, template, context)
