"""Who sees and changes what, through every API endpoint, as every role (STYLE S5).

Every operation registered on the NinjaAPI must have an entry in MATRIX: a new endpoint
without one fails `test_every_operation_is_in_the_matrix`. Each entry is run as anonymous,
rep1, rep2, manager1, manager2, vp, finance, compadmin, admin and partner; it checks the
status, that a list returns exactly the rows the role may see, that a row outside the role's
scope is a 404 (never a 403), and that a denied write changes no row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from ninja.utils import normalize_path

from openspm.api.api import api
from tests.api.conftest import (
    EDITORS,
    ROLES,
    Company,
    call,
    client_for,
    is_internal,
    rolled_back,
    snapshot,
)

Visible = Callable[[Company, str], set[str]]
Payload = Callable[[Company], dict[str, Any]]
Arg = Callable[[Any], object]


def registered_operations() -> set[str]:
    """'METHOD /api/v1/path' for every operation of every router mounted on the API."""
    found = set()
    for prefix, router in api._routers:  # ninja keeps (prefix, router) pairs here
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    found.add(f"{method} {normalize_path('/api/v1/' + prefix + '/' + path)}")
    return {op.rstrip("/") for op in found}


# Who sees which rows -------------------------------------------------------------------------


def by_payee(kind: str) -> Visible:
    """Rows owned by payees: visible when one of their payees is in the role's scope."""
    return lambda c, role: c.visible_names(kind, role)


def internal(kind: str) -> Visible:
    """Reference data: every employee sees all of it, a referral partner none."""
    return lambda c, role: set(c.rows[kind]) if is_internal(role) else set()


def authenticated(kind: str) -> Visible:
    return lambda c, role: set(c.rows[kind]) if role != "anonymous" else set()


def own(kind: str) -> Visible:
    return lambda c, role: {role} & set(c.rows[kind])


def pk(row: Any) -> object:
    return row.pk


# Matrix entries ------------------------------------------------------------------------------


@dataclass(frozen=True)
class List:
    """GET a list: 200 with exactly the visible rows (401 anonymous)."""

    kind: str
    visible: Visible
    id_key: str = "id"
    arg: Arg = pk

    def check(self, c: Company, role: str, method: str, path: str) -> list[str]:
        response = call(client_for(c, role), method, path + "?limit=1000")
        if role == "anonymous":
            return _expect(response, 401, role)
        problems = _expect(response, 200, role)
        if problems:
            return problems
        got = {item[self.id_key] for item in response.data["items"]}
        rows = c.rows[self.kind]
        want = {self.arg(rows[name]) for name in self.visible(c, role)}
        if got != want or response.data["count"] != len(want):
            names = {self.arg(r): n for n, r in rows.items()}
            return [
                f"{role}: saw {sorted(str(names.get(g, g)) for g in got)}, "
                f"expected {sorted(str(names[w]) for w in want)}"
            ]
        return []


@dataclass(frozen=True)
class Detail:
    """GET one row: 200 when visible, 404 otherwise (and for an id that does not exist)."""

    kind: str
    visible: Visible
    arg: Arg = pk
    missing: object = 999_999

    def check(self, c: Company, role: str, method: str, path: str) -> list[str]:
        client = client_for(c, role)
        visible = self.visible(c, role)
        problems = []
        for name, row in c.rows[self.kind].items():
            response = call(client, method, _fill(path, self.arg(row)))
            want = 401 if role == "anonymous" else 200 if name in visible else 404
            problems += _expect(response, want, f"{role} → {self.kind}[{name}]")
        response = call(client, method, _fill(path, self.missing))
        problems += _expect(response, 401 if role == "anonymous" else 404, f"{role} → missing")
        return problems


@dataclass(frozen=True)
class Write:
    """POST or PATCH. Editors get `ok`; anyone else 403 if they see the target (or there is
    none), 404 if they do not; anonymous 401. A denied request changes no row."""

    payload: Payload
    ok: int
    target: tuple[str, str] | None = None  # (kind, name) of the row in the path or payload
    visible: Visible | None = None
    arg: Arg = pk
    allowed: Callable[[str], bool] = lambda role: role in EDITORS
    expect_in_body: dict[str, Any] = field(default_factory=dict)

    def check(self, c: Company, role: str, method: str, path: str) -> list[str]:
        client = client_for(c, role)
        if self.target is not None and "{" in path:
            kind, name = self.target
            path = _fill(path, self.arg(c.rows[kind][name]))

        def attempt() -> list[str]:
            before = snapshot()
            response = call(client, method, path, self.payload(c))
            if role == "anonymous":
                want = 401
            elif self.allowed(role):
                want = self.ok
            elif self.target is not None and self.visible is not None:
                want = 403 if self.target[1] in self.visible(c, role) else 404
            else:
                want = 403
            problems = _expect(response, want, role)
            if want >= 400 and snapshot() != before:
                problems.append(f"{role}: a denied {method} changed the database")
            if want < 300 and response.data is not None:
                for key, value in self.expect_in_body.items():
                    if response.data.get(key) != value:
                        problems.append(f"{role}: {key}={response.data.get(key)!r}, not {value!r}")
            return problems

        return rolled_back(attempt)


@dataclass(frozen=True)
class Open:
    """GET something that is not a payee's rows: 200 for anyone signed in, 401 anonymous."""

    def check(self, c: Company, role: str, method: str, path: str) -> list[str]:
        response = call(client_for(c, role), method, path)
        return _expect(response, 401 if role == "anonymous" else 200, role)


@dataclass(frozen=True)
class Upload:
    """POST a valid file for `entity` (multipart): editors 200, others 403, anonymous 401;
    a denied upload writes nothing."""

    entity: str
    content: bytes

    def check(self, c: Company, role: str, method: str, path: str) -> list[str]:
        client = client_for(c, role)

        def attempt() -> list[str]:
            before = snapshot()
            response = client.post(
                _fill(path, self.entity),
                {"file": SimpleUploadedFile(f"{self.entity}.csv", self.content)},
            )
            response.data = response.json()
            want = 401 if role == "anonymous" else 200 if role in EDITORS else 403
            problems = _expect(response, want, role)
            if want >= 400 and snapshot() != before:
                problems.append(f"{role}: a denied upload changed the database")
            return problems

        return rolled_back(attempt)


@dataclass(frozen=True)
class Export:
    """GET an export of `entity`: 200 with exactly the visible rows' `key` column."""

    entity: str
    kind: str
    visible: Visible
    key: str = "external_id"

    def check(self, c: Company, role: str, method: str, path: str) -> list[str]:
        response = call(client_for(c, role), method, _fill(path, self.entity) + "?format=csv")
        if role == "anonymous":
            return _expect(response, 401, role)
        if response.status_code != 200:
            return [f"{role}: got {response.status_code}, expected 200"]
        rows = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
        got = {row[self.key] for row in rows}
        want = {getattr(c.rows[self.kind][n], self.key) for n in self.visible(c, role)}
        return [] if got == want else [f"{role}: exported {sorted(got)}, expected {sorted(want)}"]


def _fill(path: str, value: object) -> str:
    start, end = path.index("{"), path.index("}")
    return path[:start] + str(value) + path[end + 1 :]


def _expect(response: Any, status: int, who: str) -> list[str]:
    if response.status_code == status:
        if status >= 400 and set(response.data or {}) != {"error", "detail"}:
            return [f"{who}: error body {response.data!r} is not {{error, detail}}"]
        return []
    return [f"{who}: got {response.status_code} {response.data!r}, expected {status}"]


def _id(kind: str, name: str) -> Callable[[Company], object]:
    return lambda c: c.rows[kind][name].pk


ORG = "/api/v1/org"
SALES = "/api/v1/sales"

MATRIX: dict[str, List | Detail | Write | Open | Upload | Export] = {
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


def test_every_operation_is_in_the_matrix() -> None:
    registered = registered_operations()
    assert registered - set(MATRIX) == set(), "endpoints without a matrix entry"
    assert set(MATRIX) - registered == set(), "matrix entries for endpoints that do not exist"


@pytest.mark.parametrize("operation", sorted(MATRIX))
def test_role_matrix(operation: str, company: Company) -> None:
    method, path = operation.split(" ", 1)
    entry = MATRIX[operation]
    problems = [p for role in ROLES for p in entry.check(company, role, method, path)]
    assert problems == [], "\n".join(problems)
