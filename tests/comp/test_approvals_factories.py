"""Rows for the payouts tests (runs, lines, publishing); no tests here.

Runs and lines are made directly in the database with hand-picked amounts, so each export's
numbers can be checked by hand; tests/comp/test_close.py also runs the real engine.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from openspm.comp.models import CalcRun, EarningLine, PayoutLine
from openspm.comp.services import approvals
from openspm.org.models import Period, Person
from openspm.org.services import ensure_fiscal_year
from tests.factories import World


def period(key: str = "2026-Q1") -> Period:
    periods = {p.key: p for p in ensure_fiscal_year(fiscal_year=int(key[:4]))}
    return periods[key]


def make_run(on: Period, **fields: object) -> CalcRun:
    now = timezone.now()
    values: dict[str, object] = {
        "status": CalcRun.Status.SUCCEEDED,
        "started_at": now,
        "finished_at": now,
        "fingerprint": "f" * 64,
    } | fields
    return CalcRun.objects.create(period=on, **values)


def add_payout(
    run: CalcRun,
    person: Person,
    amount: str,
    *,
    component_id: str = "commission",
    plan_code: str = "ae",
    currency: str = "USD",
    plan_amount: str | None = None,
    plan_currency: str | None = None,
    held: str = "0",
    line_type: str = "earning",
) -> PayoutLine:
    return PayoutLine.objects.create(
        run=run,
        person=person,
        plan_code=plan_code,
        plan_version=1,
        period_key=run.period.key,
        component_id=component_id,
        line_type=line_type,
        plan_amount=Decimal(plan_amount if plan_amount is not None else amount),
        plan_currency=plan_currency or currency,
        amount=Decimal(amount),
        currency=currency,
        held_amount=Decimal(held),
    )


def add_earning(
    run: CalcRun,
    person: Person,
    amount: str,
    *,
    transaction_ref: str = "",
    component_id: str = "commission",
    component_kind: str = "commission",
    currency: str = "USD",
    tier: str = "",
) -> EarningLine:
    return EarningLine.objects.create(
        run=run,
        person=person,
        plan_code="ae",
        plan_version=1,
        period_key=run.period.key,
        component_id=component_id,
        component_kind=component_kind,
        line_type="slice" if transaction_ref else "period",
        transaction_ref=transaction_ref,
        tier=tier,
        amount=Decimal(amount),
        currency=currency,
    )


def publish(world: World, run: CalcRun) -> CalcRun:
    """Submit and approve both steps (comp admin, then finance)."""
    approvals.submit_run(actor=world.users["compadmin"], run_id=run.pk)
    approvals.approve_run(actor=world.users["compadmin"], run_id=run.pk)
    approvals.approve_run(actor=world.users["finance"], run_id=run.pk)
    run.refresh_from_db()
    return run


def d(text: str) -> Decimal:
    return Decimal(text)
