"""The disputes endpoints in the role × endpoint matrix (merged by tests/comp/api_matrix.py).

Rows are made on first use (not in `prepare`), so they never show in the other areas' lists:
a published run of 2026-M11 with one earning line each for rep1 and rep3 (`dispute_lines`),
and `disputes` — rep1's own inquiry about their line, and manager2's on behalf of rep3.
"""

from __future__ import annotations

from dataclasses import dataclass

from openspm.comp.models import CalcRun, Dispute
from openspm.comp.services import disputes as services
from tests.api.conftest import Company, sees_payee
from tests.api.matrix import Detail, Entry, List, Write, by_payee
from tests.comp.test_approvals_factories import add_earning, make_run, period
from tests.factories import World

C = "/api/v1/comp"


def _ensure(c: Company) -> None:
    if "disputes" in c.rows:
        return
    run = make_run(period("2026-M11"), approval=CalcRun.Approval.APPROVED)
    for name, opener in (("rep1", "rep1"), ("rep3", "manager2")):
        line = add_earning(run, c.people[name], "1250.00", transaction_ref=f"T-{name.upper()}")
        c.add("dispute_lines", name, line, name)
        dispute = services.open_dispute(
            actor=c.users[opener],
            earning_line_id=line.pk,
            category="missing_credit",
            subject=f"Where is {name}'s deal?",
            body="The March deal is missing.",
        )
        c.add("disputes", name, dispute, name)


@dataclass(frozen=True)
class Prepared:
    """Make this area's rows, then check `entry`."""

    entry: Entry

    def check(self, c: Company, role: str, method: str, path: str) -> list[str]:
        _ensure(c)
        return self.entry.check(c, role, method, path)


def _sees_rep1(role: str) -> bool:
    return role != "anonymous" and sees_payee(role, "rep1")


MATRIX: dict[str, Entry] = {
    f"GET {C}/disputes": Prepared(List("disputes", by_payee("disputes"))),
    f"GET {C}/disputes/{{dispute_id}}": Prepared(Detail("disputes", by_payee("disputes"))),
    f"POST {C}/disputes": Prepared(
        Write(
            lambda c: {
                "earning_line_id": c.rows["dispute_lines"]["rep1"].pk,
                "category": "wrong_rate",
                "subject": "Rate looks low",
                "body": "Tier 2 should apply.",
            },
            201,
            target=("dispute_lines", "rep1"),
            visible=by_payee("dispute_lines"),
            allowed=_sees_rep1,
            expect_in_body={"status": "open", "payee": "REP1", "line_amount": "1250.0000"},
        )
    ),
    f"POST {C}/disputes/{{dispute_id}}/comments": Prepared(
        Write(
            lambda c: {"body": "Any news?"},
            201,
            target=("disputes", "rep1"),
            visible=by_payee("disputes"),
            allowed=_sees_rep1,
            expect_in_body={"is_internal": False},
        )
    ),
    f"POST {C}/disputes/{{dispute_id}}/transition": Prepared(
        Write(
            lambda c: {"action": "take"},
            200,
            target=("disputes", "rep1"),
            visible=by_payee("disputes"),
            allowed=lambda role: role in ("compadmin", "admin"),
            expect_in_body={"status": "open"},
        )
    ),
}


def page_dispute(world: World) -> Dispute:
    """For the page matrix (tests/web/test_pages.py): rep1's inquiry about their earning line
    in a published run of 2026-M11 (made on first use)."""
    existing = Dispute.objects.filter(person=world.people["rep1"], period__key="2026-M11").first()
    if existing is not None:
        return existing
    run = make_run(period("2026-M11"), approval=CalcRun.Approval.APPROVED)
    line = add_earning(run, world.people["rep1"], "1250.00", transaction_ref="T-PAGE")
    return services.open_dispute(
        actor=world.users["rep1"],
        earning_line_id=line.pk,
        category="missing_credit",
        subject="Where is my deal?",
        body="The November deal is missing.",
    )
