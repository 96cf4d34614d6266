"""Who sees and changes what, through every API endpoint, as every role (STYLE S5).

Every operation registered on the NinjaAPI must have an entry in MATRIX (below, or in a
`tests/<app>/api_matrix.py` module: see tests/api/matrix.py): a new endpoint without one fails
`test_every_operation_is_in_the_matrix`. Each entry is run as anonymous, rep1, rep2, manager1,
manager2, vp, finance, compadmin, admin and partner; it checks the status, that a list returns
exactly the rows the role may see, that a row outside the role's scope is a 404 (never a 403),
and that a denied write changes no row.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from tests.api.conftest import ROLES, Company
from tests.api.matrix import (
    Detail,
    Entry,
    Export,
    List,
    Open,
    Upload,
    Write,
    authenticated,
    by_payee,
    internal,
    own,
    registered_operations,
)

ORG = "/api/v1/org"
SALES = "/api/v1/sales"

MATRIX: dict[str, Entry] = {
    # org: people
    f"GET {ORG}/people": List("people", by_payee("people")),
    f"GET {ORG}/people/{{person_id}}": Detail("people", by_payee("people")),
    f"POST {ORG}/people": Write(
        lambda c: {
            "external_id": "NEW1",
            "first_name": "New",
            "last_name": "Hire",
            "hired_on": "2026-01-01",
        },
        201,
        expect_in_body={"external_id": "NEW1"},
    ),
    f"PATCH {ORG}/people/{{person_id}}": Write(
        lambda c: {"title": "Senior AE"},
        200,
        target=("people", "rep1"),
        visible=by_payee("people"),
        expect_in_body={"title": "Senior AE"},
    ),
    # org: teams
    f"GET {ORG}/teams": List("teams", by_payee("teams")),
    f"GET {ORG}/teams/{{team_id}}": Detail("teams", by_payee("teams")),
    f"POST {ORG}/teams": Write(lambda c: {"code": "north", "name": "North"}, 201),
    f"PATCH {ORG}/teams/{{team_id}}": Write(
        lambda c: {"name": "East Coast"},
        200,
        target=("teams", "east"),
        visible=by_payee("teams"),
        expect_in_body={"name": "East Coast"},
    ),
    # org: team memberships
    f"GET {ORG}/team-memberships": List("team_memberships", by_payee("team_memberships")),
    f"GET {ORG}/team-memberships/{{membership_id}}": Detail(
        "team_memberships", by_payee("team_memberships")
    ),
    f"POST {ORG}/team-memberships": Write(
        lambda c: {
            "team_id": c.rows["teams"]["east"].pk,
            "person_id": c.people["rep3"].pk,
            "effective_from": "2026-01-01",
        },
        201,
    ),
    f"PATCH {ORG}/team-memberships/{{membership_id}}": Write(
        lambda c: {"effective_to": "2026-12-31"},
        200,
        target=("team_memberships", "east-rep1"),
        visible=by_payee("team_memberships"),
        expect_in_body={"effective_to": "2026-12-31"},
    ),
    # org: reporting lines (a change of manager is the write)
    f"GET {ORG}/reporting-lines": List("reporting_lines", by_payee("reporting_lines")),
    f"GET {ORG}/reporting-lines/{{line_id}}": Detail(
        "reporting_lines", by_payee("reporting_lines")
    ),
    f"POST {ORG}/reporting-lines": Write(
        lambda c: {
            "person_id": c.people["rep2"].pk,
            "manager_id": c.people["manager2"].pk,
            "effective_from": "2026-03-01",
        },
        201,
        target=("people", "rep2"),
        visible=by_payee("people"),
        expect_in_body={"effective_from": "2026-03-01", "effective_to": None},
    ),
    # org: periods (every signed-in user sees the calendar)
    f"GET {ORG}/periods": List("periods", authenticated("periods")),
    f"GET {ORG}/periods/{{key}}": Detail(
        "periods", authenticated("periods"), arg=lambda p: p.key, missing="1999-Q1"
    ),
    f"POST {ORG}/fiscal-years": Write(lambda c: {"fiscal_year": 2027}, 201),
    # sales: currencies and FX rates
    f"GET {SALES}/currencies": List("currencies", internal("currencies"), id_key="code"),
    f"GET {SALES}/currencies/{{code}}": Detail("currencies", internal("currencies"), missing="XXX"),
    f"POST {SALES}/currencies": Write(
        lambda c: {"code": "JPY", "name": "Yen", "minor_units": 0}, 201
    ),
    f"PATCH {SALES}/currencies/{{code}}": Write(
        lambda c: {"name": "US dollar"},
        200,
        target=("currencies", "USD"),
        visible=internal("currencies"),
        expect_in_body={"name": "US dollar"},
    ),
    f"GET {SALES}/fx-rates": List("fx_rates", internal("fx_rates")),
    f"GET {SALES}/fx-rates/{{fx_rate_id}}": Detail("fx_rates", internal("fx_rates")),
    f"POST {SALES}/fx-rates": Write(
        lambda c: {
            "currency": "EUR",
            "quote_currency": "USD",
            "rate_on": "2026-02-01",
            "rate": "1.09",
        },
        201,
        expect_in_body={"rate": "1.0900000000"},
    ),
    f"PATCH {SALES}/fx-rates/{{fx_rate_id}}": Write(
        lambda c: {"rate": "1.08"},
        200,
        target=("fx_rates", "eurusd"),
        visible=internal("fx_rates"),
        expect_in_body={"rate": "1.0800000000"},
    ),
    # sales: accounts
    f"GET {SALES}/accounts": List("accounts", by_payee("accounts")),
    f"GET {SALES}/accounts/{{account_id}}": Detail("accounts", by_payee("accounts")),
    f"POST {SALES}/accounts": Write(
        lambda c: {"external_id": "ACC-NEW", "name": "New Co", "owner_id": c.people["rep1"].pk},
        201,
    ),
    f"PATCH {SALES}/accounts/{{account_id}}": Write(
        lambda c: {"industry": "Retail"},
        200,
        target=("accounts", "rep1"),
        visible=by_payee("accounts"),
        expect_in_body={"industry": "Retail"},
    ),
    # sales: product families and products
    f"GET {SALES}/product-families": List("product_families", internal("product_families")),
    f"GET {SALES}/product-families/{{family_id}}": Detail(
        "product_families", internal("product_families")
    ),
    f"POST {SALES}/product-families": Write(lambda c: {"code": "svc", "name": "Services"}, 201),
    f"PATCH {SALES}/product-families/{{family_id}}": Write(
        lambda c: {"name": "Core platform"},
        200,
        target=("product_families", "core"),
        visible=internal("product_families"),
    ),
    f"GET {SALES}/products": List("products", internal("products")),
    f"GET {SALES}/products/{{product_id}}": Detail("products", internal("products")),
    f"POST {SALES}/products": Write(
        lambda c: {
            "sku": "NEW-1",
            "name": "New",
            "family_id": c.rows["product_families"]["core"].pk,
        },
        201,
    ),
    f"PATCH {SALES}/products/{{product_id}}": Write(
        lambda c: {"name": "Core v2"},
        200,
        target=("products", "CORE-1"),
        visible=internal("products"),
    ),
    # sales: transactions with their splits
    f"GET {SALES}/transactions": List("transactions", by_payee("transactions")),
    f"GET {SALES}/transactions/{{transaction_id}}": Detail(
        "transactions", by_payee("transactions")
    ),
    f"POST {SALES}/transactions": Write(
        lambda c: {
            "external_id": "T-NEW",
            "owner_id": c.people["rep1"].pk,
            "booked_on": "2026-03-01",
            "amount": "100.00",
            "currency": "USD",
            "splits": [
                {"person_id": c.people["rep1"].pk, "split_percent": "50"},
                {"person_id": c.people["rep2"].pk, "split_percent": "50"},
            ],
        },
        201,
        expect_in_body={"amount": "100.0000"},
    ),
    f"PATCH {SALES}/transactions/{{transaction_id}}": Write(
        lambda c: {"status": "invoiced"},
        200,
        target=("transactions", "rep1"),
        visible=by_payee("transactions"),
        expect_in_body={"status": "invoiced"},
    ),
    # quotas
    "GET /api/v1/quotas": List("quotas", by_payee("quotas")),
    "GET /api/v1/quotas/{quota_id}": Detail("quotas", by_payee("quotas")),
    "POST /api/v1/quotas": Write(
        lambda c: {
            "person_id": c.people["rep1"].pk,
            "period": "2026-Q2",
            "amount": "50000",
            "currency": "USD",
        },
        201,
        expect_in_body={"amount": "50000.0000", "period": "2026-Q2"},
    ),
    "PATCH /api/v1/quotas/{quota_id}": Write(
        lambda c: {"amount": "120000"},
        200,
        target=("quotas", "rep1"),
        visible=by_payee("quotas"),
        expect_in_body={"amount": "120000.0000"},
    ),
    # territories
    "GET /api/v1/territories": List("territories", internal("territories")),
    "GET /api/v1/territories/{territory_id}": Detail("territories", internal("territories")),
    "POST /api/v1/territories": Write(
        lambda c: {
            "code": "west",
            "name": "West",
            "rules": [{"field": "region", "value": "West"}],
            "members": [{"person_id": c.people["rep2"].pk, "effective_from": "2026-01-01"}],
        },
        201,
    ),
    "PATCH /api/v1/territories/{territory_id}": Write(
        lambda c: {"priority": 5},
        200,
        target=("territories", "north"),
        visible=internal("territories"),
        expect_in_body={"priority": 5},
    ),
    # imports and exports (multipart files; an export holds only the rows the role sees)
    "GET /api/v1/imports": Open(),
    "POST /api/v1/imports/{entity}": Upload("currencies", b"code,name\nJPY,Yen\n"),
    "GET /api/v1/imports/{entity}/export": Export(
        "transactions", "transactions", by_payee("transactions")
    ),
    # the signed-in user's own API tokens: anyone signed in, only their own
    "GET /api/v1/tokens": List("tokens", own("tokens")),
    "POST /api/v1/tokens": Write(
        lambda c: {"name": "ci", "scopes": ["read"]},
        201,
        allowed=lambda role: role != "anonymous",
    ),
    "POST /api/v1/tokens/{token_id}/revoke": Write(
        lambda c: {},
        200,
        target=("tokens", "rep1"),
        visible=own("tokens"),
        allowed=lambda role: role == "rep1",
    ),
}


def _app_matrices() -> dict[str, ModuleType]:
    """`tests/<app>/api_matrix.py` modules, by the operations they cover."""
    found: dict[str, ModuleType] = {}
    for path in sorted(Path(__file__).parents[1].glob("*/api_matrix.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.api_matrix")
        for operation in module.MATRIX:
            if operation in MATRIX or operation in found:
                raise RuntimeError(f"{operation} has two matrix entries")
            found[operation] = module
    return found


APP_MATRICES = _app_matrices()
ENTRIES: dict[str, Entry] = {
    **MATRIX,
    **{op: module.MATRIX[op] for op, module in APP_MATRICES.items()},
}


def test_every_operation_is_in_the_matrix() -> None:
    registered = registered_operations()
    missing = registered - set(ENTRIES)
    assert missing == set(), (
        "endpoints without a matrix entry: add them to MATRIX in tests/api/test_matrix.py or "
        "to tests/<app>/api_matrix.py (see tests/api/matrix.py)"
    )
    assert set(ENTRIES) - registered == set(), "matrix entries for endpoints that do not exist"


@pytest.mark.parametrize("operation", sorted(ENTRIES))
def test_role_matrix(operation: str, company: Company) -> None:
    method, path = operation.split(" ", 1)
    module = APP_MATRICES.get(operation)
    prepare: Callable[[Company], None] | None = getattr(module, "prepare", None)
    if prepare is not None:
        prepare(company)
    entry = ENTRIES[operation]
    problems = [p for role in ROLES for p in entry.check(company, role, method, path)]
    assert problems == [], "\n".join(problems)
