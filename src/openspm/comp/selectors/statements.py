"""Statements: one per payee per period, read from the period's statement run.

A viewer sees the statements of the payees in their scope (`org.selectors.visible_person_ids`);
anyone else's is a 404. Reps and managers see published runs only; administrators, comp admins
and finance also see the latest succeeded run before it is published, marked preliminary.
Every reader here runs a fixed number of queries, whatever the number of lines.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from openspm.comp.models import (
    Adjustment,
    CalcRun,
    Dispute,
    EarningLine,
    MeasureLine,
    PayoutLine,
    StatementAcknowledgement,
)
from openspm.comp.selectors import runs as run_selectors
from openspm.core.access import Viewer
from openspm.core.errors import NotFound
from openspm.org import selectors as org_selectors
from openspm.org.models import Period, Person
from openspm.plans import selectors as plan_selectors


@dataclass(frozen=True)
class Money:
    """An amount in a currency, for display (sums are exact Decimal sums, made in Python)."""

    amount: Decimal
    currency: str


def sum_by_currency(pairs: Iterable[tuple[Decimal, str]]) -> list[Money]:
    """Exact sums per currency, in currency order."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for amount, currency in pairs:
        totals[currency] += amount
    return [Money(totals[c], c) for c in sorted(totals)]


@dataclass(frozen=True)
class ComponentGroup:
    """The earning lines of one plan component, with their total."""

    plan_code: str
    plan_version: int
    plan_version_id: int | None  # the plan version page, when the viewer may open it
    component_id: str
    component_kind: str
    lines: list[EarningLine]
    totals: list[Money]


@dataclass(frozen=True)
class Statement:
    """Everything a payee's statement for a period shows, evaluated (templates query nothing)."""

    person: Person
    period: Period
    run: CalcRun
    is_preliminary: bool
    is_own: bool
    measures: list[MeasureLine]
    components: list[ComponentGroup]
    earning_totals: list[Money]
    payouts: list[PayoutLine]
    payout_totals: list[Money]
    held_totals: list[Money]
    draw_balance: Money | None
    adjustments: list[Adjustment]  # every adjustment, referral rewards included
    adjustment_totals: list[Money]  # approved adjustments only, referral rewards included
    total_due: list[Money]  # payout plus approved adjustments, per currency
    disputes: list[Dispute]
    acknowledgement: StatementAcknowledgement | None

    @property
    def pk(self) -> int:
        return self.person.pk

    @property
    def referral_rewards(self) -> list[Adjustment]:
        """Referral rewards posted into the period (their own section)."""
        return [a for a in self.adjustments if a.source == Adjustment.Source.REFERRAL]

    @property
    def other_adjustments(self) -> list[Adjustment]:
        return [a for a in self.adjustments if a.source != Adjustment.Source.REFERRAL]

    @property
    def referral_totals(self) -> list[Money]:
        return sum_by_currency(
            (a.amount, a.currency)
            for a in self.referral_rewards
            if a.status == Adjustment.Status.APPROVED
        )

    @property
    def other_adjustment_totals(self) -> list[Money]:
        return sum_by_currency(
            (a.amount, a.currency)
            for a in self.other_adjustments
            if a.status == Adjustment.Status.APPROVED
        )

    @property
    def can_acknowledge(self) -> bool:
        return self.is_own and not self.is_preliminary and self.acknowledgement is None


def get_visible_person(*, viewer: Viewer, person_id: int) -> Person:
    """The payee, when the viewer may see their pay; a 404 otherwise (never a 403)."""
    visible = org_selectors.visible_person_ids(viewer=viewer)
    if visible is not None and person_id not in visible:
        raise NotFound("No such statement.")
    person = Person.objects.filter(pk=person_id).select_related("user").first()
    if person is None:
        raise NotFound("No such statement.")
    return person


def get_statement_period_and_run(*, viewer: Viewer, period_key: str) -> tuple[Period, CalcRun]:
    period = org_selectors.get_period(key=period_key)
    run = run_selectors.get_statement_run(viewer=viewer, period=period)
    if run is None:
        raise NotFound(f"No statement has been published for {period.key} yet.")
    return period, run


def plan_version_ids(*, viewer: Viewer, codes: set[str]) -> dict[tuple[str, int], int]:
    """(plan code, version number) → plan version id, for the versions the viewer may open."""
    if not codes:
        return {}
    rows = (
        plan_selectors.list_versions(viewer=viewer)
        .filter(plan__code__in=codes)
        .values_list("plan__code", "number", "pk")
    )
    return {(code, number): pk for code, number, pk in rows}


def get_statement(*, viewer: Viewer, person_id: int, period_key: str) -> Statement:
    person = get_visible_person(viewer=viewer, person_id=person_id)
    period, run = get_statement_period_and_run(viewer=viewer, period_key=period_key)
    measures = list(MeasureLine.objects.filter(run=run, person=person))
    earnings = list(EarningLine.objects.filter(run=run, person=person))
    payouts = list(PayoutLine.objects.filter(run=run, person=person))
    adjustments = list(
        Adjustment.objects.filter(person=person, period=period)
        .exclude(status=Adjustment.Status.REJECTED)
        .order_by("created_at", "pk")
    )
    disputes = list(
        Dispute.objects.filter(person=person, period=period)
        .select_related("earning_line", "assignee")
        .order_by("created_at", "pk")
    )
    acknowledgement = StatementAcknowledgement.objects.filter(person=person, run=run).first()
    versions = plan_version_ids(viewer=viewer, codes={line.plan_code for line in earnings})
    components = _components(earnings, versions)
    payout_totals = sum_by_currency((p.amount, p.currency) for p in payouts)
    approved = [a for a in adjustments if a.status == Adjustment.Status.APPROVED]
    adjustment_totals = sum_by_currency((a.amount, a.currency) for a in approved)
    draws = [p for p in payouts if p.draw_balance_amount is not None]
    return Statement(
        person=person,
        period=period,
        run=run,
        is_preliminary=run.approval != CalcRun.Approval.APPROVED,
        is_own=person.user_id is not None and person.user_id == viewer.pk,
        measures=measures,
        components=components,
        earning_totals=sum_by_currency((e.amount, e.currency) for e in earnings),
        payouts=payouts,
        payout_totals=payout_totals,
        held_totals=[
            m for m in sum_by_currency((p.held_amount, p.currency) for p in payouts) if m.amount
        ],
        draw_balance=(
            Money(draws[-1].draw_balance_amount, draws[-1].currency)  # type: ignore[arg-type]
            if draws
            else None
        ),
        adjustments=adjustments,
        adjustment_totals=adjustment_totals,
        total_due=sum_by_currency(
            [(m.amount, m.currency) for m in payout_totals]
            + [(m.amount, m.currency) for m in adjustment_totals]
        ),
        disputes=disputes,
        acknowledgement=acknowledgement,
    )


def _components(
    earnings: list[EarningLine], versions: dict[tuple[str, int], int]
) -> list[ComponentGroup]:
    grouped: dict[tuple[str, int, str], list[EarningLine]] = defaultdict(list)
    for line in earnings:
        grouped[(line.plan_code, line.plan_version, line.component_id)].append(line)
    return [
        ComponentGroup(
            plan_code=code,
            plan_version=number,
            plan_version_id=versions.get((code, number)),
            component_id=component,
            component_kind=lines[0].component_kind,
            lines=lines,
            totals=sum_by_currency((line.amount, line.currency) for line in lines),
        )
        for (code, number, component), lines in sorted(grouped.items())
    ]


# --- the list of a period's statements -----------------------------------------------------------


@dataclass(frozen=True)
class StatementRow:
    person: Person
    payout_totals: list[Money]
    is_acknowledged: bool

    @property
    def pk(self) -> int:
        return self.person.pk


@dataclass(frozen=True)
class StatementList:
    periods: list[Period]  # the periods with a statement run the viewer sees
    period: Period | None
    run: CalcRun | None
    is_preliminary: bool
    rows: list[StatementRow] = field(default_factory=list)


def list_statement_periods(*, viewer: Viewer) -> list[Period]:
    """Periods with a published run (or, for run viewers, a succeeded one), latest first."""
    runs = CalcRun.objects.filter(approval=CalcRun.Approval.APPROVED)
    if run_selectors.sees_runs(viewer):
        runs = CalcRun.objects.filter(
            Q(approval=CalcRun.Approval.APPROVED) | Q(status=CalcRun.Status.SUCCEEDED)
        )
    return list(
        Period.objects.filter(pk__in=runs.values("period_id")).order_by("-end_on", "-start_on")
    )


def list_statements(*, viewer: Viewer, period_key: str = "") -> StatementList:
    """For a period (default: the latest with statements), the payees the viewer sees who have
    a statement, with their payout totals."""
    periods = list_statement_periods(viewer=viewer)
    if period_key:
        period = next((p for p in periods if p.key == period_key), None)
        if period is None:
            raise NotFound(f"No statements for {period_key}.")
    elif periods:
        period = periods[0]
    else:
        return StatementList(periods=[], period=None, run=None, is_preliminary=False)
    run = run_selectors.get_statement_run(viewer=viewer, period=period)
    if run is None:  # pragma: no cover - periods come from the same rule
        raise NotFound(f"No statements for {period.key}.")
    payouts = org_selectors.restrict_to_people(PayoutLine.objects.filter(run=run), viewer=viewer)
    amounts: dict[int, list[tuple[Decimal, str]]] = defaultdict(list)
    for person_id, amount, currency in payouts.values_list("person_id", "amount", "currency"):
        amounts[person_id].append((amount, currency))
    people = Person.objects.in_bulk(list(amounts))
    acknowledged = set(
        StatementAcknowledgement.objects.filter(run=run, person_id__in=list(amounts)).values_list(
            "person_id", flat=True
        )
    )
    rows = sorted(
        (
            StatementRow(
                person=people[pk],
                payout_totals=sum_by_currency(pairs),
                is_acknowledged=pk in acknowledged,
            )
            for pk, pairs in amounts.items()
        ),
        key=lambda r: (r.person.last_name, r.person.first_name, r.person.external_id),
    )
    return StatementList(
        periods=periods,
        period=period,
        run=run,
        is_preliminary=run.approval != CalcRun.Approval.APPROVED,
        rows=rows,
    )
