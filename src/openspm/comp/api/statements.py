"""API: a payee's statement for a period (the page's content, money as strings), and the payee's
acknowledgement of it."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from openspm.comp.models import StatementAcknowledgement
from openspm.comp.selectors import statements as selectors
from openspm.comp.services import statements as services
from openspm.core.access import require_internal
from openspm.sales.schemas import DecimalText

router = Router(tags=["comp"])


class MoneyOut(Schema):
    amount: DecimalText
    currency: str


class MeasureOut(Schema):
    plan_code: str
    plan_version: int
    period_key: str
    measure_id: str
    accumulate: str
    period_value: DecimalText
    to_date_value: DecimalText
    quota_amount: DecimalText | None
    attainment: DecimalText | None


class EarningOut(Schema):
    id: int
    plan_code: str
    plan_version: int
    component_id: str
    component_kind: str
    line_type: str
    transaction_ref: str
    credit_id: str
    credit_reason: str
    measure_id: str
    measure_value: DecimalText | None
    basis_to_date: DecimalText | None
    quota_amount: DecimalText | None
    attainment: DecimalText | None
    tier: str = Field(description="The tier's label (its number unless the plan names it)")
    rate: DecimalText | None
    multiplier: DecimalText | None
    objective_id: str
    amount: DecimalText
    currency: str
    line_count: int = Field(
        description="Deal lines this line sums (drill down in the statement page); 0: a "
        "period line, or a deal line of a run written before summaries"
    )


class ComponentOut(Schema):
    plan_code: str
    plan_version: int
    plan_version_id: int | None
    component_id: str
    component_kind: str
    totals: list[MoneyOut]
    lines: list[EarningOut]


class PayoutOut(Schema):
    plan_code: str
    plan_version: int
    component_id: str
    line_type: str
    plan_amount: DecimalText
    plan_currency: str
    fx_rate: DecimalText | None
    amount: DecimalText
    currency: str
    held_amount: DecimalText
    draw_balance_amount: DecimalText | None
    transaction_refs: list[str]


class AdjustmentOut(Schema):
    id: int
    amount: DecimalText
    currency: str
    reason_code: str
    description: str
    source: str
    status: str


class DisputeOut(Schema):
    id: int
    subject: str
    status: str
    earning_line_id: int | None
    created_at: datetime
    due_at: datetime


class AcknowledgementOut(Schema):
    person_id: int
    run_id: int
    acknowledged_at: datetime


class StatementOut(Schema):
    person_id: int
    person_external_id: str
    person_name: str
    currency: str
    period_key: str
    period_start_on: date
    period_end_on: date
    run_id: int
    is_preliminary: bool
    measures: list[MeasureOut]
    components: list[ComponentOut]
    earning_totals: list[MoneyOut]
    payouts: list[PayoutOut]
    payout_totals: list[MoneyOut]
    held_totals: list[MoneyOut]
    draw_balance: MoneyOut | None
    adjustments: list[AdjustmentOut]
    adjustment_totals: list[MoneyOut]
    total_due: list[MoneyOut]
    disputes: list[DisputeOut]
    acknowledgement: AcknowledgementOut | None


def _out(statement: selectors.Statement) -> dict[str, object]:
    """The statement as the response schema reads it (rows by attribute)."""
    person, period = statement.person, statement.period
    return dict(
        person_id=person.pk,
        person_external_id=person.external_id,
        person_name=f"{person.first_name} {person.last_name}",
        currency=person.currency,
        period_key=period.key,
        period_start_on=period.start_on,
        period_end_on=period.end_on,
        run_id=statement.run.pk,
        is_preliminary=statement.is_preliminary,
        measures=statement.measures,
        components=[
            dict(
                plan_code=g.plan_code,
                plan_version=g.plan_version,
                plan_version_id=g.plan_version_id,
                component_id=g.component_id,
                component_kind=g.component_kind,
                totals=g.totals,
                lines=g.lines,
            )
            for g in statement.components
        ],
        earning_totals=statement.earning_totals,
        payouts=[
            dict(
                plan_code=p.plan_code,
                plan_version=p.plan_version,
                component_id=p.component_id,
                line_type=p.line_type,
                plan_amount=p.plan_amount,
                plan_currency=p.plan_currency,
                fx_rate=p.fx_rate,
                amount=p.amount,
                currency=p.currency,
                held_amount=p.held_amount,
                draw_balance_amount=p.draw_balance_amount,
                transaction_refs=p.transaction_refs.split(),
            )
            for p in statement.payouts
        ],
        payout_totals=statement.payout_totals,
        held_totals=statement.held_totals,
        draw_balance=statement.draw_balance,
        adjustments=statement.adjustments,
        adjustment_totals=statement.adjustment_totals,
        total_due=statement.total_due,
        disputes=statement.disputes,
        acknowledgement=statement.acknowledgement,
    )


@router.get("/statements/{person_id}/{period_key}", response=StatementOut)
def get_statement(request: HttpRequest, person_id: int, period_key: str) -> dict[str, object]:
    require_internal(request.user)
    return _out(
        selectors.get_statement(viewer=request.user, person_id=person_id, period_key=period_key)
    )


@router.post("/statements/{person_id}/{period_key}/acknowledge", response=AcknowledgementOut)
def acknowledge_statement(
    request: HttpRequest, person_id: int, period_key: str
) -> StatementAcknowledgement:
    require_internal(request.user)
    return services.acknowledge_statement(
        actor=request.user, person_id=person_id, period_key=period_key
    )
