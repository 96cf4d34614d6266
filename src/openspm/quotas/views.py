"""Quota pages: quotas by period, limited to the payees the viewer sees."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openspm.core.access import is_internal
from openspm.core.errors import PermissionDenied
from openspm.org import selectors as org_selectors
from openspm.quotas import selectors
from openspm.quotas.forms import QuotaFilterForm
from openspm.sales import selectors as sales_selectors

PAGE_SIZE = 50


@login_required
def quotas(request: HttpRequest) -> HttpResponse:
    if not is_internal(request.user):
        raise PermissionDenied("This page is for employees.")
    form = QuotaFilterForm(request.GET or None)
    period_key, measure = "", ""
    if form.is_valid():
        period_key, measure = form.cleaned_data["period"], form.cleaned_data["measure"]
    qs = selectors.list_quotas(viewer=request.user, period_key=period_key, measure=measure)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    periods = [p for p in org_selectors.list_periods() if p.kind != "month"]
    context = {
        "form": form,
        "periods": periods,
        "period_key": period_key,
        "page": page,
        "quotas": list(page.object_list),
    }
    htmx = getattr(request, "htmx", None)
    template = "quotas/_quotas.html" if htmx and not htmx.boosted else "quotas/quotas.html"
    return render(request, template, context)


@login_required
def quota_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_internal(request.user):
        raise PermissionDenied("This page is for employees.")
    quota = selectors.get_quota(viewer=request.user, quota_id=pk)
    deals = sales_selectors.list_transactions(
        viewer=request.user,
        person_id=quota.person_id,
        booked_from=quota.period.start_on,
        booked_to=quota.period.end_on,
    )
    page = Paginator(deals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "quotas/detail.html",
        {"quota": quota, "page": page, "transactions": list(page.object_list)},
    )
