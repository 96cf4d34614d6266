"""Exports hold only the rows the viewer may see (role × entity)."""

from __future__ import annotations

import pytest

from openspm.imports.services import export_file
from tests.factories import make_quota, make_transaction
from tests.imports.conftest import Sales

pytestmark = pytest.mark.django_db

EVERYONE = ["MANAGER1", "MANAGER2", "REP1", "REP2", "REP3", "VP"]
VISIBLE = {
    "admin": EVERYONE,
    "compadmin": EVERYONE,
    "finance": EVERYONE,
    "vp": EVERYONE,
    "manager1": ["MANAGER1", "REP1", "REP2"],
    "manager2": ["MANAGER2", "REP3"],
    "rep1": ["REP1"],
    "rep3": ["REP3"],
    "partner": [],
}


def first_column(sales: Sales, role: str, entity: str, column: int = 0) -> list[str]:
    exported = export_file(viewer=sales.world.users[role], entity=entity, file_format="csv")
    lines = exported.content.decode("utf-8-sig").splitlines()
    return sorted(line.split(",")[column] for line in lines[1:])


@pytest.mark.parametrize("role", list(VISIBLE))
def test_people(sales: Sales, role: str) -> None:
    assert first_column(sales, role, "people") == VISIBLE[role]


@pytest.mark.parametrize("role", list(VISIBLE))
def test_transactions_and_quotas_follow_their_payee(sales: Sales, role: str) -> None:
    for name, person in sales.world.people.items():
        make_transaction(external_id=f"T-{name.upper()}", owner=person)
        make_quota(person=person)
    assert first_column(sales, role, "transactions") == [f"T-{p}" for p in VISIBLE[role]]
    assert first_column(sales, role, "quotas") == VISIBLE[role]


@pytest.mark.parametrize(
    ("role", "expected"), [("rep1", ["ACME"]), ("rep3", []), ("finance", ["ACME", "GLOBEX"])]
)
def test_accounts(sales: Sales, role: str, expected: list[str]) -> None:
    assert first_column(sales, role, "accounts") == expected


@pytest.mark.parametrize(("role", "count"), [("rep1", 2), ("partner", 0)])
def test_reference_data_is_for_employees(sales: Sales, role: str, count: int) -> None:
    assert len(first_column(sales, role, "currencies")) == count
    assert len(first_column(sales, role, "products")) == count
