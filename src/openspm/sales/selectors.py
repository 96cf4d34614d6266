"""Reads of sales data, restricted to what the viewer may see.

Transactions and accounts are a payee's records: a rep sees those they own or hold a split
of, a manager their team's. Products, currencies and FX rates are reference data that every
employee sees.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet

from openspm.core.access import Viewer, is_internal
from openspm.core.errors import NotFound
from openspm.org import selectors as org_selectors
from openspm.sales.models import (
    Account,
    CreditSplit,
    Currency,
    FxRate,
    Product,
    ProductFamily,
    Transaction,
)


def _none_unless_internal(qs: QuerySet, viewer: Viewer) -> QuerySet:  # type: ignore[type-arg]
    return qs if is_internal(viewer) else qs.none()


def list_transactions(
    *,
    viewer: Viewer,
    search: str = "",
    booked_from: date | None = None,
    booked_to: date | None = None,
    status: str = "",
    person_id: int | None = None,
) -> QuerySet[Transaction]:
    qs = Transaction.objects.select_related("account", "product", "owner", "currency")
    ids = org_selectors.visible_person_ids(viewer=viewer)
    if ids is not None:
        split_tx = CreditSplit.objects.filter(person_id__in=ids).values("transaction_id")
        qs = qs.filter(Q(owner_id__in=ids) | Q(pk__in=split_tx))
    if person_id is not None:
        split_tx = CreditSplit.objects.filter(person_id=person_id).values("transaction_id")
        qs = qs.filter(Q(owner_id=person_id) | Q(pk__in=split_tx))
    if search:
        qs = qs.filter(Q(external_id__icontains=search) | Q(account__name__icontains=search))
    if booked_from:
        qs = qs.filter(booked_on__gte=booked_from)
    if booked_to:
        qs = qs.filter(booked_on__lte=booked_to)
    if status:
        qs = qs.filter(status=status)
    return qs


def get_transaction(*, viewer: Viewer, transaction_id: int) -> Transaction:
    found = list_transactions(viewer=viewer).filter(pk=transaction_id).first()
    if found is None:
        raise NotFound("No such transaction.")
    return found


def list_splits(*, transaction_ids: list[int]) -> QuerySet[CreditSplit]:
    return CreditSplit.objects.filter(transaction_id__in=transaction_ids).select_related("person")


def list_accounts(*, viewer: Viewer, search: str = "", country: str = "") -> QuerySet[Account]:
    qs = Account.objects.select_related("owner")
    ids = org_selectors.visible_person_ids(viewer=viewer)
    if ids is not None:
        qs = qs.filter(owner_id__in=ids)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(external_id__icontains=search))
    if country:
        qs = qs.filter(country__iexact=country)
    return qs


def get_account(*, viewer: Viewer, account_id: int) -> Account:
    found = list_accounts(viewer=viewer).filter(pk=account_id).first()
    if found is None:
        raise NotFound("No such account.")
    return found


def list_products(*, viewer: Viewer, family: str = "") -> QuerySet[Product]:
    qs = Product.objects.select_related("family")
    if family:
        qs = qs.filter(family__code=family)
    return _none_unless_internal(qs, viewer)


def list_product_families(*, viewer: Viewer) -> QuerySet[ProductFamily]:
    return _none_unless_internal(ProductFamily.objects.all(), viewer)


def list_currencies(*, viewer: Viewer) -> QuerySet[Currency]:
    return _none_unless_internal(Currency.objects.all(), viewer)


def list_fx_rates(
    *, viewer: Viewer, currency: str = "", quote_currency: str = ""
) -> QuerySet[FxRate]:
    qs = FxRate.objects.all()
    if currency:
        qs = qs.filter(currency_id=currency.upper())
    if quote_currency:
        qs = qs.filter(quote_currency_id=quote_currency.upper())
    return _none_unless_internal(qs, viewer)


def get_fx_rate(*, currency: str, quote_currency: str, on: date) -> Decimal:
    """The rate in force on `on`: the latest published on or before it."""
    if currency == quote_currency:
        return Decimal(1)
    rate = (
        FxRate.objects.filter(
            currency_id=currency, quote_currency_id=quote_currency, rate_on__lte=on
        )
        .order_by("-rate_on")
        .values_list("rate", flat=True)
        .first()
    )
    if rate is None:
        raise NotFound(f"No {currency}/{quote_currency} rate on or before {on}.")
    return rate
