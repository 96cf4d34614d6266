"""Statements in the role × endpoint matrix, and the published run the page matrix needs.

`prepare` publishes the AE plan for every payee of the API company and publishes a run of
2026-Q1, so each payee has a statement. Entries: a payee's statement is 200 for whoever sees
that payee, 404 for whoever does not (and for a payee that does not exist), 403 for referral
partners; only the payee may acknowledge (200, twice: idempotent), anyone else who sees the
statement gets 403, anyone who does not 404, and a denied acknowledgement writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from openspm.comp.models import CalcRun, PayoutLine
from openspm.comp.services import calc
from openspm.org.models import Period, Person
from openspm.plans import services as plan_services
from tests.api.conftest import Company, call, client_for, rolled_back, sees_payee, snapshot
from tests.api.matrix import Entry, _expect
from tests.comp.factories import TIERED_PLAN
from tests.factories import World

PERIOD = "2026-Q1"
COMP = "/api/v1/comp"


def publish_run(world: World, period: Period | str, people: dict[str, Person]) -> CalcRun:
    """Publish the AE plan for `people`, run `period` and approve the run outright (the
    approval workflow has its own tests)."""
    admin, finance = world.users["compadmin"], world.users["finance"]
    # Four places: amounts like 1,234.50 × 5 % leave no rounding residue (a residue line
    # has no plan amount, which comp.services.results cannot store yet).
    text = TIERED_PLAN.replace("places: 2", "places: 4")
    draft = plan_services.create_plan(
        actor=admin, code="ae", name="AE", text=text, effective_from=date(2026, 1, 1)
    )
    plan_services.submit_version(actor=admin, version_id=draft.pk)
    version = plan_services.approve_version(actor=finance, version_id=draft.pk)
    for person in people.values():
        plan_services.assign_plan(
            actor=world.users["compadmin"],
            plan_id=version.plan_id,
            person=person,
            effective_from=date(2026, 1, 1),
        )
    key = period if isinstance(period, str) else period.key
    run = calc.request_run(actor=world.users["compadmin"], period_key=key)
    run = calc.execute_run(run_id=run.pk)
    if run.status != CalcRun.Status.SUCCEEDED:
        raise AssertionError(run.error)
    CalcRun.objects.filter(pk=run.pk).update(
        approval=CalcRun.Approval.APPROVED, published_at=timezone.now()
    )
    run.refresh_from_db()
    return run


def prepare(company: Company) -> None:
    if not CalcRun.objects.exists():
        publish_run(company.world, PERIOD, company.people)


def _path(path: str, person_id: int) -> str:
    return path.replace("{person_id}", str(person_id)).replace("{period_key}", PERIOD)


@dataclass(frozen=True)
class StatementRead:
    def check(self, c: Company, role: str, method: str, path: str) -> list[str]:
        client = client_for(c, role)
        problems = []
        for name, person in c.people.items():
            response = call(client, method, _path(path, person.pk))
            want = (
                401
                if role == "anonymous"
                else 403
                if role == "partner"
                else 200
                if sees_payee(role, name)
                else 404
            )
            problems += _expect(response, want, f"{role} → {name}")
            if want == 200 and response.status_code == 200:
                payout = PayoutLine.objects.filter(person=person, run__period__key=PERIOD).first()
                if payout is None or response.data["payout_totals"] != [
                    {"amount": format(payout.amount, "f"), "currency": payout.currency}
                ]:
                    problems.append(f"{role} → {name}: payout {response.data['payout_totals']}")
        response = call(client, method, _path(path, 999_999))
        want = 401 if role == "anonymous" else 403 if role == "partner" else 404
        problems += _expect(response, want, f"{role} → missing")
        return problems


@dataclass(frozen=True)
class Acknowledge:
    payee: str = "rep1"

    def check(self, c: Company, role: str, method: str, path: str) -> list[str]:
        client = client_for(c, role)
        url = _path(path, c.people[self.payee].pk)

        def attempt() -> list[str]:
            before = snapshot()
            response = call(client, method, url, {})
            if role == "anonymous":
                want = 401
            elif role == self.payee:
                want = 200
            elif role == "partner" or sees_payee(role, self.payee):
                want = 403
            else:
                want = 404
            problems = _expect(response, want, role)
            if want == 200:
                again = call(client, method, url, {})
                if again.status_code != 200 or again.data != response.data:
                    problems.append(f"{role}: acknowledging twice gave {again.data!r}")
            elif snapshot() != before:
                problems.append(f"{role}: a denied acknowledgement changed the database")
            return problems

        result: list[str] = rolled_back(attempt)
        return result


MATRIX: dict[str, Entry] = {
    f"GET {COMP}/statements/{{person_id}}/{{period_key}}": StatementRead(),
    f"POST {COMP}/statements/{{person_id}}/{{period_key}}/acknowledge": Acknowledge(),
}


def first_line_of(person: Any) -> int:
    """An earning line of `person` in a published run (for the page matrix's drill-down)."""
    from openspm.comp.models import EarningLine

    line = EarningLine.objects.filter(
        person=person, run__approval=CalcRun.Approval.APPROVED
    ).first()
    if line is None:
        raise AssertionError(f"{person} has no published earning line")
    return line.pk


def page_run(world: World, period: Period) -> CalcRun:
    """For the page matrix (tests/web/test_pages.py): the AE plan for rep1, rep2 and rep3 and a
    published run of `period` (made on first use)."""
    existing = CalcRun.objects.filter(period=period, approval=CalcRun.Approval.APPROVED).first()
    if existing is not None:
        return existing
    people = {name: world.people[name] for name in ("rep1", "rep2", "rep3")}
    return publish_run(world, period, people)
