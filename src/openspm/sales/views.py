"""Sales pages: transactions with their splits, accounts, products and FX rates."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openspm.core.access import require_internal
from openspm.sales import selectors
from openspm.sales.forms import (
    AccountFilterForm,
    FxRateFilterForm,
    ProductFilterForm,
    TransactionFilterForm,
)

PAGE_SIZE = 50


def _page_or_partial(
    request: HttpRequest, page: str, partial: str, context: dict[str, object]
) -> HttpResponse:
    htmx = getattr(request, "htmx", None)
    template = partial if htmx and not htmx.boosted else page
    return render(request, template, context)


@login_required
def transactions(request: HttpRequest) -> HttpResponse:
    require_internal(request.user)
    form = TransactionFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "search": data["q"],
            "booked_from": data["booked_from"],
            "booked_to": data["booked_to"],
            "status": data["status"],
        }
    qs = selectors.list_transactions(viewer=request.user, **filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return _page_or_partial(
        request,
        "sales/transactions.html",
        "sales/_transactions.html",
        {"form": form, "page": page, "transactions": list(page.object_list)},
    )


@login_required
def transaction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_internal(request.user)
    tx = selectors.get_transaction(viewer=request.user, transaction_id=pk)
    splits = list(selectors.list_splits(transaction_ids=[tx.pk]))
    credits = [(s.person, s.split_percent, tx.amount * s.split_percent / 100) for s in splits]
    if not credits:
        credits = [(tx.owner, Decimal(100), tx.amount)]
    return render(
        request,
        "sales/transaction_detail.html",
        {"transaction": tx, "splits": splits, "credits": credits},
    )


@login_required
def accounts(request: HttpRequest) -> HttpResponse:
    require_internal(request.user)
    form = AccountFilterForm(request.GET or None)
    search, country = "", ""
    if form.is_valid():
        search, country = form.cleaned_data["q"], form.cleaned_data["country"]
    qs = selectors.list_accounts(viewer=request.user, search=search, country=country)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return _page_or_partial(
        request,
        "sales/accounts.html",
        "sales/_accounts.html",
        {"form": form, "page": page, "accounts": list(page.object_list)},
    )


@login_required
def products(request: HttpRequest) -> HttpResponse:
    require_internal(request.user)
    form = ProductFilterForm(request.GET or None)
    family = form.cleaned_data["family"] if form.is_valid() else ""
    families = list(selectors.list_product_families(viewer=request.user))
    qs = selectors.list_products(viewer=request.user, family=family)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return _page_or_partial(
        request,
        "sales/products.html",
        "sales/_products.html",
        {
            "form": form,
            "families": families,
            "family": family,
            "page": page,
            "products": list(page.object_list),
        },
    )


@login_required
def fx_rates(request: HttpRequest) -> HttpResponse:
    require_internal(request.user)
    form = FxRateFilterForm(request.GET or None)
    currency, quote = "", ""
    if form.is_valid():
        currency, quote = form.cleaned_data["currency"], form.cleaned_data["quote_currency"]
    qs = selectors.list_fx_rates(viewer=request.user, currency=currency, quote_currency=quote)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return _page_or_partial(
        request,
        "sales/fx_rates.html",
        "sales/_fx_rates.html",
        {
            "form": form,
            "currencies": list(selectors.list_currencies(viewer=request.user)),
            "page": page,
            "rates": list(page.object_list),
        },
    )
