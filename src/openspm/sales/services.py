"""Writes to sales data. Each is atomic and validates before it saves."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db import transaction

from openspm.core.access import Viewer, require_edit
from openspm.core.errors import InvalidInput
from openspm.org.models import Person
from openspm.sales.models import (
    Account,
    CreditSplit,
    Currency,
    FxRate,
    Product,
    ProductFamily,
    Transaction,
)

HUNDRED = Decimal(100)


def check_split_total(percentages: Iterable[Decimal]) -> None:
    """Splits must sum to exactly 100 % (no tolerance: credit is never lost or invented)."""
    values = list(percentages)
    if values and sum(values, Decimal(0)) != HUNDRED:
        raise InvalidInput(f"Splits must sum to 100%, these sum to {sum(values, Decimal(0))}%.")


@transaction.atomic
def save_transaction(
    *, actor: Viewer, tx: Transaction, splits: Mapping[Person, Decimal] | None = None
) -> Transaction:
    """Create or update a transaction; `splits`, when given, replaces its credit splits."""
    require_edit(actor)
    tx.full_clean()
    tx.save()
    if splits is not None:
        check_split_total(splits.values())
        CreditSplit.objects.filter(transaction=tx).delete()
        CreditSplit.objects.bulk_create(
            [CreditSplit(transaction=tx, person=p, split_percent=pct) for p, pct in splits.items()]
        )
    return tx


@transaction.atomic
def save_account(*, actor: Viewer, account: Account) -> Account:
    require_edit(actor)
    account.full_clean()
    account.save()
    return account


@transaction.atomic
def save_product(*, actor: Viewer, product: Product) -> Product:
    require_edit(actor)
    product.full_clean()
    product.save()
    return product


@transaction.atomic
def save_product_family(*, actor: Viewer, family: ProductFamily) -> ProductFamily:
    require_edit(actor)
    family.full_clean()
    family.save()
    return family


@transaction.atomic
def save_currency(*, actor: Viewer, currency: Currency) -> Currency:
    require_edit(actor)
    currency.full_clean()
    currency.save()
    return currency


@transaction.atomic
def save_fx_rate(*, actor: Viewer, fx_rate: FxRate) -> FxRate:
    require_edit(actor)
    fx_rate.full_clean()
    fx_rate.save()
    return fx_rate
