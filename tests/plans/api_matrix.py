"""The plans endpoints in the role × endpoint matrix (tests/api/test_matrix.py collects this).

Rows: `rep1` — a plan published and assigned to rep1, with two published versions;
`draft` — a plan whose first version is still a draft; `pending` — a version waiting for
approval, written by an author outside the matrix's roles (so no role is its author).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from openspm.core.roles import Role
from openspm.plans import services
from tests.api.conftest import SEE_ALL, Company, call, client_for, rolled_back, sees_payee
from tests.api.matrix import Detail, Entry, List, Write, _expect, _fill
from tests.factories import make_user
from tests.plans.factories import make_published_plan, plan_text

P = "/api/v1/plans"


def prepare(c: Company) -> None:
    if "plans" in c.rows:
        return
    admin, finance = c.users["compadmin"], c.users["finance"]
    v1 = make_published_plan(author=admin, approver=finance, code="rep1_plan")
    services.assign_plan(
        actor=admin, plan_id=v1.plan_id, person=c.people["rep1"], effective_from=date(2026, 1, 1)
    )
    v2 = services.new_draft(actor=admin, plan_id=v1.plan_id)
    services.update_draft(
        actor=admin,
        version_id=v2.pk,
        text=plan_text("rep1_plan", 2, "0.06"),
        effective_from=date(2026, 7, 1),
    )
    services.submit_version(actor=admin, version_id=v2.pk)
    services.approve_version(actor=finance, version_id=v2.pk)
    draft = services.create_plan(
        actor=admin,
        code="draft_plan",
        name="Draft",
        text=plan_text("draft_plan"),
        effective_from=date(2026, 1, 1),
    )
    author = make_user(role=Role.COMP_ADMIN, username="plan_author")
    pending = services.create_plan(
        actor=author,
        code="pending_plan",
        name="Pending",
        text=plan_text("pending_plan"),
        effective_from=date(2026, 1, 1),
    )
    services.submit_version(actor=author, version_id=pending.pk)
    c.add("plans", "rep1", v1.plan, "rep1")
    c.add("plans", "draft", draft.plan)
    c.add("plans", "pending", pending.plan)
    c.add("versions", "rep1_v1", v1, "rep1")
    c.add("versions", "rep1_v2", v2, "rep1")
    c.add("versions", "draft", draft)
    c.add("versions", "pending", pending)
    c.add("assignments", "rep1", v1.plan.assignments.get(), "rep1")


def plan_rows(kind: str) -> Any:
    """Plans assigned to rep1 follow rep1's visibility; unassigned ones only see-all roles."""

    def visible(c: Company, role: str) -> set[str]:
        return {
            name
            for name, payees in c.owners[kind].items()
            if role in SEE_ALL or any(sees_payee(role, p) for p in payees)
        }

    return visible


@dataclass(frozen=True)
class Scoped:
    """A request about one row (`kind`, `name`): `ok` when the role may do it, 404 when the
    row is out of sight, `seen_status` when seen but not allowed; 401 anonymous."""

    kind: str
    name: str
    ok: int
    allowed: Any
    payload: Any = None
    seen_status: int = 403
    second: tuple[str, str] | None = None

    def check(self, c: Company, role: str, method: str, path: str) -> list[str]:
        client = client_for(c, role)
        url = _fill(path, c.rows[self.kind][self.name].pk)
        if self.second is not None:
            url = _fill(url, c.rows[self.second[0]][self.second[1]].pk)
        seen = self.name in plan_rows(self.kind)(c, role)

        def attempt() -> list[str]:
            response = call(client, method, url, self.payload)
            if role == "anonymous":
                want = 401
            elif not seen:
                want = 404
            else:
                want = self.ok if self.allowed(role) else self.seen_status
            return _expect(response, want, f"{role} → {self.kind}[{self.name}]")

        return rolled_back(attempt)


def editors(role: str) -> bool:
    return role in ("admin", "compadmin")


def approvers(role: str) -> bool:
    return role in SEE_ALL


def anyone(role: str) -> bool:
    return True


MATRIX: dict[str, Entry] = {
    f"GET {P}/plans": List("plans", plan_rows("plans")),
    f"GET {P}/plans/{{plan_id}}": Detail("plans", plan_rows("plans")),
    f"POST {P}/plans": Write(
        lambda c: {
            "code": "new_plan",
            "name": "New",
            "text": plan_text("new_plan"),
            "effective_from": "2026-01-01",
        },
        201,
        expect_in_body={"status": "draft", "number": 1},
    ),
    f"GET {P}/plans/{{plan_id}}/versions": Scoped("plans", "rep1", 200, anyone),
    f"POST {P}/plans/{{plan_id}}/versions": Scoped("plans", "rep1", 201, editors),
    f"GET {P}/plans/{{plan_id}}/assignments": Scoped("plans", "rep1", 200, anyone),
    f"POST {P}/plans/{{plan_id}}/assignments": Scoped(
        "plans",
        "rep1",
        201,
        editors,
        payload={"title": "SDR", "effective_from": "2026-01-01"},
    ),
    f"GET {P}/versions/{{version_id}}": Detail("versions", plan_rows("versions")),
    f"PATCH {P}/versions/{{version_id}}": Scoped(
        "versions", "draft", 200, editors, payload={"text": plan_text("draft_plan", 1, "0.07")}
    ),
    f"POST {P}/versions/{{version_id}}/validate": Scoped(
        "versions", "rep1_v1", 200, anyone, payload={"text": plan_text("rep1_plan")}
    ),
    f"POST {P}/versions/{{version_id}}/submit": Scoped("versions", "draft", 200, editors),
    f"POST {P}/versions/{{version_id}}/decision": Scoped(
        "versions", "pending", 200, approvers, payload={"approve": True}
    ),
    f"POST {P}/versions/{{version_id}}/accept": Scoped(
        "versions", "rep1_v1", 201, lambda role: role == "rep1", seen_status=404
    ),
    f"GET {P}/versions/{{old_id}}/diff/{{new_id}}": Scoped(
        "versions", "rep1_v1", 200, anyone, second=("versions", "rep1_v2")
    ),
}
