"""Exports and imports take a number of queries that does not grow with the rows compared."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openspm.imports.entities import ENTITIES
from openspm.imports.services import export_file
from openspm.sales.models import CreditSplit
from openspm.territories.models import Territory, TerritoryMember, TerritoryRule
from tests.factories import make_account, make_person, make_quota, make_transaction
from tests.imports.conftest import Sales, run

pytestmark = pytest.mark.django_db


def export_queries(viewer: object, entity: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        export_file(viewer=viewer, entity=entity, file_format="csv")  # type: ignore[arg-type]
    return len(queries)


def add_rows(company: Sales, n: int) -> None:
    """`n` more rows of every entity, each referring to other rows."""
    people = company.world.people
    territory = Territory.objects.get(code="EMEA-FR")
    for i in range(n):
        person = make_person()
        account = make_account(owner=people["rep1"])
        tx = make_transaction(owner=people["rep1"], account=account)
        CreditSplit.objects.create(transaction=tx, person=person, split_percent=Decimal(100))
        make_quota(person=person, amount=Decimal(1000 + i))
        TerritoryRule.objects.create(territory=territory, field="region", value=f"R{n}-{i}")
        TerritoryMember.objects.create(
            territory=territory, person=person, effective_from=date(2026, 1, 1 + i)
        )


@pytest.mark.parametrize("entity", list(ENTITIES))
def test_export_queries_do_not_grow_with_rows(company: Sales, entity: str) -> None:
    add_rows(company, 1)
    export_queries(company.compadmin, entity)  # the viewer's role is read once, then cached
    few = export_queries(company.compadmin, entity)
    add_rows(company, 5)
    assert export_queries(company.compadmin, entity) == few


def test_reimport_queries_do_not_grow_per_foreign_key(company: Sales) -> None:
    """An unchanged re-import compares each row without loading its foreign keys one by one."""
    add_rows(company, 3)
    content = export_file(viewer=company.compadmin, entity="transactions", file_format="csv")
    with CaptureQueriesContext(connection) as three:
        run(company.compadmin, "transactions", content.content)
    add_rows(company, 6)
    content = export_file(viewer=company.compadmin, entity="transactions", file_format="csv")
    with CaptureQueriesContext(connection) as nine:
        result = run(company.compadmin, "transactions", content.content)
    assert result.unchanged == result.total_rows
    # Only the per-row savepoints grow (two statements per row and pass).
    assert len(nine) - len(three) <= 6 * 2 * 2
