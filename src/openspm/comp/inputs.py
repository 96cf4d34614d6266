"""The engine's input tables, read from the database in bulk as Arrow (one query per table).

Money leaves the database as text (`CAST(... AS TEXT)`), so no value ever passes through a
float: SQLite keeps 15 significant digits (what `AmountField` allows) and prints them exactly,
PostgreSQL prints NUMERIC exactly; the engine parses the text into DECIMAL. Payees, accounts and
transactions are named by their external ids, as in the engine's CSV inputs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa
from django.db import connections
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from openspm.org.models import Person, ReportingLine
from openspm.plans.selectors import PayeeAssignment
from openspm.quotas.models import Quota
from openspm.sales.models import Account, CreditSplit, FxRate, Transaction
from openspm.territories import selectors as territory_selectors
from openspm.territories.models import TerritoryMember

DECIMAL_TEXT: TextField[str, str] = TextField()


def _text(field: str) -> Cast:
    return Cast(field, output_field=DECIMAL_TEXT)


def _fetch(queryset: QuerySet[Any], names: list[str], *, dates: frozenset[str]) -> pa.Table:
    """Run a `values_list` queryset's SQL on a plain cursor: the rows come back as the driver
    gives them, without Django's per-value converters (SQLite dates are text until Arrow
    casts the whole column)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    arrays = {}
    for name, values in zip(names, columns, strict=True):
        if name not in dates:
            arrays[name] = pa.array(values, pa.string())
        elif any(isinstance(v, str) for v in values):
            arrays[name] = pa.array(values, pa.string()).cast(pa.date32())
        else:
            arrays[name] = pa.array(values, pa.date32())
    return pa.table(arrays)


def _table(rows: Sequence[tuple[object, ...]], names: list[str]) -> pa.Table:
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    return pa.table(
        {
            name: pa.array(list(col), type=_type(col))
            for name, col in zip(names, columns, strict=True)
        }
    )


def _type(values: tuple[object, ...]) -> pa.DataType:
    sample = next((v for v in values if v is not None), None)
    return pa.date32() if isinstance(sample, date) else pa.string()


TRANSACTION_DATES = frozenset({"booked_on", "closed_on", "invoiced_on", "paid_on", "cancelled_on"})


def transactions(*, start: date, end: date) -> pa.Table:
    """Deals credited in [start, end) and, for clawbacks, earlier deals cancelled since."""
    names = [
        "transaction_id",
        "payee_id",
        "amount",
        "currency",
        "booked_on",
        "closed_on",
        "invoiced_on",
        "paid_on",
        "collected_amount",
        "status",
        "cancelled_on",
        "type",
        "product",
        "product_family",
        "account_id",
        "quantity",
        "cost_amount",
    ]
    window = Q(booked_on__lt=end) & Q(booked_on__gte=start - timedelta(days=366))
    rows = (
        Transaction.objects.filter(window)
        .order_by("external_id")
        .values_list(
            "external_id",
            "owner__external_id",
            _text("amount"),
            "currency_id",
            "booked_on",
            "closed_on",
            "invoiced_on",
            "paid_on",
            _text("collected_amount"),
            "status",
            "cancelled_on",
            "type",
            "product__sku",
            "product__family__code",
            "account__external_id",
            _text("quantity"),
            _text("cost_amount"),
        )
    )
    table = _fetch(rows, names, dates=TRANSACTION_DATES)
    return table.append_column("territory_id", pa.array(_territories(table), pa.string()))


def _territories(table: pa.Table) -> list[str | None]:
    """The territory code of each transaction's account (named account, else rules)."""
    account_ids = table.column("account_id").to_pylist()
    wanted = {a for a in account_ids if a}
    accounts = list(Account.objects.filter(external_id__in=wanted))
    matched = territory_selectors.match_territories(accounts=accounts)
    code_of = {
        a.external_id: (territory.code if (territory := matched.get(a.pk)) else None)
        for a in accounts
    }
    return [code_of.get(a) if a else None for a in account_ids]


def splits(*, start: date, end: date) -> pa.Table:
    """Split parts of the transactions `transactions(start=…, end=…)` reads, as fractions
    (the engine's `split_percent` is 0.6 for 60 %)."""
    parts = _fetch(
        CreditSplit.objects.filter(
            transaction__booked_on__lt=end,
            transaction__booked_on__gte=start - timedelta(days=366),
        )
        .order_by("transaction__external_id", "person__external_id")
        .values_list("transaction__external_id", "person__external_id", _text("split_percent")),
        ["transaction_id", "payee_id", "split_percent"],
        dates=frozenset(),
    )
    fractions = [str(Decimal(p) / 100) for p in parts.column("split_percent").to_pylist()]
    return parts.set_column(2, "split_percent", pa.array(fractions, pa.string()))


def payees() -> pa.Table:
    rows = list(
        Person.objects.order_by("external_id").values_list(
            "external_id", "first_name", "currency", "hired_on", "terminated_on"
        )
    )
    return _table(rows, ["payee_id", "name", "currency", "hired_on", "terminated_on"])


def hierarchy() -> pa.Table:
    rows = list(
        ReportingLine.objects.order_by("person__external_id", "effective_from").values_list(
            "person__external_id", "manager__external_id", "effective_from", "effective_to"
        )
    )
    return _table(rows, ["payee_id", "manager_id", "effective_from", "effective_to"])


def territory_assignments() -> pa.Table:
    rows = list(
        TerritoryMember.objects.order_by("territory__code", "person__external_id").values_list(
            "territory__code", "person__external_id", "role", "effective_from", "effective_to"
        )
    )
    return _table(rows, ["territory_id", "payee_id", "role", "effective_from", "effective_to"])


def quotas(*, fiscal_year: int) -> pa.Table:
    rows = list(
        Quota.objects.filter(period__fiscal_year=fiscal_year)
        .order_by("person__external_id", "period__key", "measure")
        .values_list("person__external_id", "measure", "period__key", _text("amount"))
    )
    return _table(rows, ["payee_id", "measure_id", "period_id", "quota_amount"])


def fx_rates() -> pa.Table:
    """Each published rate holds from its day until the next one of the same pair."""
    rows = list(
        FxRate.objects.order_by("currency_id", "quote_currency_id", "rate_on").values_list(
            "currency_id",
            "quote_currency_id",
            _text("rate"),
            "rate_on",
        )
    )
    out: list[tuple[object, ...]] = []
    by_pair: dict[tuple[str, str], list[tuple[str, date]]] = defaultdict(list)
    for base, quote, rate, on in rows:
        by_pair[(base, quote)].append((rate, on))
    for (base, quote), points in sorted(by_pair.items()):
        for (rate, on), following in zip(points, [*points[1:], None], strict=True):
            out.append((base, quote, rate, on, following[1] if following else None))
    return _table(out, ["from_currency", "to_currency", "rate", "effective_from", "effective_to"])


def plan_assignments(assignments: list[PayeeAssignment]) -> pa.Table:
    ext = dict(Person.objects.values_list("pk", "external_id"))
    rows = [(ext[a.person_id], a.plan_code, a.effective_from, a.effective_to) for a in assignments]
    return _table(rows, ["payee_id", "plan_id", "effective_from", "effective_to"])
