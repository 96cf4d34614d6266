"""The payouts endpoints in the role × endpoint matrix (merged by tests/comp/api_matrix.py).

Rows are made on first use by each entry (not in `prepare`), so the runs and adjustments made
here never show in the other areas' lists: `payout_runs` — `unsubmitted` (succeeded, 2026-M09),
`pending` (waiting for comp admin review, 2026-M08), `published` (2026-Q3), `recalc` (a
recalculation of the closed 2026-M07 paying rep1 100.00 more); `payout_adjustments` — pending
adjustments of rep1 and rep3 in 2026-Q2 by a comp admin outside the matrix's roles.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openspm.comp.models import Adjustment, CalcRun
from openspm.comp.services import approvals, close
from openspm.comp.services.adjustments import create_adjustment
from openspm.core.models import User
from openspm.core.roles import Role
from openspm.org.models import Person
from tests.api.conftest import SEE_ALL, Company, call, client_for
from tests.api.matrix import Detail, Entry, List, Write, _expect, by_payee
from tests.comp.test_approvals_factories import add_payout, make_run, period
from tests.factories import make_user

C = "/api/v1/comp"
PayoutRows = dict[str, Any]


def payout_rows(users: dict[str, User], people: dict[str, Person]) -> PayoutRows:
    """This area's rows (made on first use; the API and page matrices share them)."""
    author = User.objects.filter(username="payouts_author").first()
    if author is None:
        author = make_user(role=Role.COMP_ADMIN, username="payouts_author")
        _make(author, users["finance"], people)
    runs = CalcRun.objects.filter(period__key__in=["2026-M07", "2026-M08", "2026-M09", "2026-Q3"])
    by_key = {(r.period.key, r.approval): r for r in runs.select_related("period")}
    return {
        "unsubmitted": by_key[("2026-M09", "none")],
        "pending": by_key[("2026-M08", "pending")],
        "published": by_key[("2026-Q3", "approved")],
        "closed": by_key[("2026-M07", "approved")],
        "recalc": by_key[("2026-M07", "none")],
        **{
            f"adjustment_{name}": Adjustment.objects.get(created_by=author, person=people[name])
            for name in ("rep1", "rep3")
        },
    }


def _make(author: User, finance: User, people: dict[str, Person]) -> None:
    for name in ("rep1", "rep3"):
        create_adjustment(
            actor=author,
            person=people[name],
            period=period("2026-Q2"),
            amount=Decimal("125.00"),
            currency="USD",
            reason_code="manual_bonus",
            description=f"Spring bonus for {name}",
        )
    make_run(period("2026-M09"))
    pending = make_run(period("2026-M08"))
    approvals.submit_run(actor=author, run_id=pending.pk)
    for key in ("2026-Q3", "2026-M07"):
        run = make_run(period(key))
        add_payout(run, people["rep1"], "1000.00")
        approvals.submit_run(actor=author, run_id=run.pk)
        approvals.approve_run(actor=author, run_id=run.pk)
        approvals.approve_run(actor=finance, run_id=run.pk)
    close.close_period(actor=finance, period_key="2026-M07")
    recalc = make_run(period("2026-M07"))
    add_payout(recalc, people["rep1"], "1100.00")


def _ensure(c: Company) -> None:
    if "payout_runs" in c.rows:
        return
    rows = payout_rows(c.users, c.people)
    for name in ("unsubmitted", "pending", "published", "closed", "recalc"):
        c.add("payout_runs", name, rows[name])
    for name in ("rep1", "rep3"):
        c.add("payout_adjustments", name, rows[f"adjustment_{name}"], name)


@dataclass(frozen=True)
class Prepared:
    """Make this area's rows, then check `entry`."""

    entry: Entry

    def check(self, c: Company, role: str, method: str, path: str) -> list[str]:
        _ensure(c)
        return self.entry.check(c, role, method, path)


def approvers(role: str) -> bool:
    return role in SEE_ALL


def _runs_seen(c: Company, role: str) -> set[str]:
    return set(c.rows["payout_runs"]) if approvers(role) else set()


@dataclass(frozen=True)
class ExportCsv:
    """GET an export: finance, comp admins and administrators get the CSV of the published
    run; everyone else 403; anonymous 401."""

    kind: str
    first_column: str

    def check(self, c: Company, role: str, method: str, path: str) -> list[str]:
        _ensure(c)
        url = path.replace("{kind}", self.kind) + "?period=2026-Q3"
        response = call(client_for(c, role), method, url)
        if role == "anonymous":
            return _expect(response, 401, role)
        if not approvers(role):
            return _expect(response, 403, role)
        if response.status_code != 200:
            return [f"{role}: got {response.status_code}, expected 200"]
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        if rows[0][0] != self.first_column or len(rows) < 2:
            return [f"{role}: unexpected CSV {rows[:2]!r}"]
        return []


MATRIX: dict[str, Entry] = {
    f"GET {C}/approvals": Prepared(
        List("payout_runs", lambda c, role: {"pending"} if approvers(role) else set())
    ),
    f"GET {C}/runs/{{run_id}}/approval": Prepared(Detail("payout_runs", _runs_seen)),
    f"POST {C}/runs/{{run_id}}/submit": Prepared(
        Write(
            lambda c: {},
            200,
            target=("payout_runs", "unsubmitted"),
            visible=_runs_seen,
            expect_in_body={"approval": "pending", "next_step": 0},
        )
    ),
    f"POST {C}/runs/{{run_id}}/decision": Prepared(
        Write(
            lambda c: {"approve": True, "comment": "Totals checked"},
            200,
            target=("payout_runs", "pending"),
            visible=_runs_seen,
            allowed=lambda role: role in ("compadmin", "admin"),
            expect_in_body={"approval": "pending", "next_step": 1},
        )
    ),
    f"POST {C}/runs/{{run_id}}/differences": Prepared(
        Write(
            lambda c: {},
            201,
            target=("payout_runs", "recalc"),
            visible=_runs_seen,
            allowed=approvers,
        )
    ),
    f"GET {C}/adjustments": Prepared(List("payout_adjustments", by_payee("payout_adjustments"))),
    f"GET {C}/adjustments/{{adjustment_id}}": Prepared(
        Detail("payout_adjustments", by_payee("payout_adjustments"))
    ),
    f"POST {C}/adjustments": Prepared(
        Write(
            lambda c: {
                "person_id": c.people["rep1"].pk,
                "period": "2026-Q2",
                "amount": "125.50",
                "currency": "USD",
                "reason_code": "manual_bonus",
                "description": "Spring bonus",
            },
            201,
            expect_in_body={"amount": "125.5000", "status": "pending", "payee": "REP1"},
        )
    ),
    f"POST {C}/adjustments/{{adjustment_id}}/decision": Prepared(
        Write(
            lambda c: {"approve": True},
            200,
            target=("payout_adjustments", "rep1"),
            visible=by_payee("payout_adjustments"),
            allowed=approvers,
            expect_in_body={"status": "approved"},
        )
    ),
    f"POST {C}/periods/{{key}}/close": Prepared(
        Write(
            lambda c: {},
            200,
            target=("periods", "2026-Q3"),
            arg=lambda p: p.key,
            visible=lambda c, role: set(c.rows["periods"]) if role != "anonymous" else set(),
            allowed=lambda role: role in ("finance", "admin"),
            expect_in_body={"key": "2026-Q3", "status": "closed"},
        )
    ),
    f"GET {C}/exports/{{kind}}": ExportCsv("payroll", "payee_id"),
}
