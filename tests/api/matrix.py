"""The role × endpoint matrix's vocabulary: entry kinds and who-sees-what rules.

An entry knows how to exercise one API operation as one role and returns the problems it
found (an empty list when the role got exactly what it should). Apps add entries for their own
endpoints in `tests/<app>/api_matrix.py`: a module with `MATRIX: dict[str, Entry]` and,
optionally, `prepare(company)` that adds the rows their entries need to `company`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.files.uploadedfile import SimpleUploadedFile
from ninja.utils import normalize_path

from openspm.api.api import api
from tests.api.conftest import (
    EDITORS,
    Company,
    call,
    client_for,
    is_internal,
    rolled_back,
    snapshot,
)


class Entry(Protocol):
    def check(self, c: Company, role: str, method: str, path: str) -> list[str]: ...


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
