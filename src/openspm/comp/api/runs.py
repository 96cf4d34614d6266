"""API: calc runs (list, detail, start, retry) and plan simulation."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from openspm.comp.models import CalcRun
from openspm.comp.selectors import runs as selectors
from openspm.comp.services import calc, schedule, simulate

router = Router(tags=["comp"])


class RunOut(Schema):
    id: int
    period: str
    status: str
    approval: str
    trigger: str
    requested_by: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    progress: int
    progress_note: str
    fingerprint: str
    engine_version: str
    plan_versions: list[dict[str, object]]
    input_counts: dict[str, int]
    error: str

    @staticmethod
    def resolve_period(run: CalcRun) -> str:
        return run.period.key

    @staticmethod
    def resolve_requested_by(run: CalcRun) -> str | None:
        return run.requested_by.username if run.requested_by else None


class TotalOut(Schema):
    currency: str
    amount: str
    payee_count: int


class PayeeTotalOut(Schema):
    person_id: int
    external_id: str
    name: str
    currency: str
    amount: str
    held_amount: str
    line_count: int


class RunDetailOut(RunOut):
    """A run with its payouts summed per currency and per payee."""

    totals: list[TotalOut]
    payees: list[PayeeTotalOut]

    @staticmethod
    def resolve_totals(run: CalcRun, context: dict[str, Any]) -> list[dict[str, object]]:
        viewer = context["request"].user
        return [
            {"currency": t.currency, "amount": _money(t.amount), "payee_count": t.payee_count}
            for t in selectors.list_currency_totals(viewer=viewer, run_id=run.pk)
        ]

    @staticmethod
    def resolve_payees(run: CalcRun, context: dict[str, Any]) -> list[dict[str, object]]:
        viewer = context["request"].user
        return [
            {
                "person_id": p.person_id,
                "external_id": p.external_id,
                "name": p.name,
                "currency": p.currency,
                "amount": _money(p.amount),
                "held_amount": _money(p.held_amount),
                "line_count": p.line_count,
            }
            for p in selectors.list_payee_totals(viewer=viewer, run_id=run.pk)
        ]


class RunIn(Schema):
    period: str


class SimulationIn(Schema):
    version_id: int
    period: str


class PayeeDifferenceOut(Schema):
    person_id: int | None
    external_id: str
    name: str
    currency: str
    published_amount: str
    draft_amount: str
    difference: str
    causes: list[str]


class CurrencyDifferenceOut(Schema):
    currency: str
    published_amount: str
    draft_amount: str
    difference: str


class SimulationOut(Schema):
    version_id: int
    period: str
    published_plans: list[str]
    draft_plans: list[str]
    totals: list[CurrencyDifferenceOut]
    payees: list[PayeeDifferenceOut]
    report: str


def _money(value: Decimal) -> str:
    return format(value, "f")


@router.get("/runs", response=list[RunOut])
@paginate
def list_runs(request: HttpRequest, period: str = ""):  # type: ignore[no-untyped-def]
    return selectors.list_runs(viewer=request.user, period_key=period)


@router.post("/runs", response={201: RunOut})
def start_run(request: HttpRequest, payload: RunIn) -> tuple[int, CalcRun]:
    return 201, calc.request_run(actor=request.user, period_key=payload.period, trigger="api")


@router.get("/runs/{run_id}", response=RunDetailOut)
def get_run(request: HttpRequest, run_id: int) -> CalcRun:
    return selectors.get_run(viewer=request.user, run_id=run_id)


@router.post("/runs/{run_id}/retry", response={201: RunOut})
def retry_run(request: HttpRequest, run_id: int) -> tuple[int, CalcRun]:
    return 201, schedule.retry_run(actor=request.user, run_id=run_id, trigger="api")


@router.post("/simulations", response=SimulationOut)
def simulate_version(request: HttpRequest, payload: SimulationIn) -> dict[str, object]:
    """Run a plan version against a period beside the published plans; nothing is saved."""
    result = simulate.simulate_version(
        actor=request.user, version_id=payload.version_id, period_key=payload.period
    )
    return {
        "version_id": result.version.pk,
        "period": result.period_key,
        "published_plans": list(result.published_plans),
        "draft_plans": list(result.draft_plans),
        "totals": [
            {
                "currency": t.currency,
                "published_amount": _money(t.published_amount),
                "draft_amount": _money(t.draft_amount),
                "difference": _money(t.difference),
            }
            for t in result.totals
        ],
        "payees": [
            {
                "person_id": p.person_id,
                "external_id": p.external_id,
                "name": p.name,
                "currency": p.currency,
                "published_amount": _money(p.published_amount),
                "draft_amount": _money(p.draft_amount),
                "difference": _money(p.difference),
                "causes": list(p.causes),
            }
            for p in result.payees
        ],
        "report": result.report,
    }
