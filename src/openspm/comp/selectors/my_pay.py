"""The rep's "My pay" page: their fiscal year's earnings and payouts per period, attainment,
the next payout and their place on the leaderboard.

Published runs only, plus the open period's latest succeeded run (marked preliminary); a login
that is not a payee gets an empty page. A fixed number of queries, whatever the lines.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q

from openspm.comp.models import CalcRun, EarningLine, MeasureLine, PayoutLine
from openspm.comp.selectors.statements import Money, sum_by_currency
from openspm.core.access import Viewer
from openspm.org import selectors as org_selectors
from openspm.org.models import Period, Person

# When a period's payout is paid: this many days after the period ends (the payroll cut-off the
# demo company uses; the payroll export may name its own date).
PAY_DAYS_AFTER_PERIOD_END = 15


@dataclass(frozen=True)
class PeriodPay:
    period: Period
    run: CalcRun
    is_preliminary: bool
    earnings: list[Money]
    payouts: list[Money]


@dataclass(frozen=True)
class NextPayout:
    period: Period
    run: CalcRun
    is_preliminary: bool
    amounts: list[Money]
    pay_on: date


@dataclass(frozen=True)
class LeaderboardPlace:
    """Where the payee ranks by attainment among the payees on the same plan and measure in
    the period: standard competition ranking ("1224": ties share a rank, the next is skipped)."""

    plan_code: str
    measure_id: str
    attainment: Decimal
    rank: int
    size: int


@dataclass(frozen=True)
class MyPay:
    person: Person | None
    fiscal_year: int | None
    periods: list[PeriodPay]
    earnings_to_date: list[Money]
    payouts_to_date: list[Money]
    current: PeriodPay | None  # the latest period shown: attainment and leaderboard come from it
    measures: list[MeasureLine]
    next_payout: NextPayout | None
    leaderboard: list[LeaderboardPlace]


def pay_date(period: Period) -> date:
    return period.end_on + timedelta(days=PAY_DAYS_AFTER_PERIOD_END)


def competition_ranks(values: dict[int, Decimal]) -> dict[int, int]:
    """key → rank, highest value first; equal values share a rank ("1224")."""
    ordered = sorted(values.values(), reverse=True)
    first_at: dict[Decimal, int] = {}
    for index, value in enumerate(ordered):
        first_at.setdefault(value, index + 1)
    return {key: first_at[value] for key, value in values.items()}


def get_my_pay(*, viewer: Viewer, on: date | None = None) -> MyPay:
    """The signed-in payee's year: earnings and payouts per period from published runs, plus the
    current open period's latest succeeded run (preliminary); attainment, next payout and their
    place on the leaderboard. A login that is not a payee gets an empty page."""
    on = on or org_selectors.today()
    person = org_selectors.get_viewer_person(viewer=viewer)
    year = org_selectors.get_period_containing(on=on, kind=Period.Kind.YEAR)
    if person is None or year is None:
        return MyPay(person, year.fiscal_year if year else None, [], [], [], None, [], None, [])
    runs = _year_runs(fiscal_year=year.fiscal_year, on=on)
    earnings: dict[int, list[tuple[Decimal, str]]] = defaultdict(list)
    for run_id, amount, currency in EarningLine.objects.filter(
        run_id__in=[r.pk for r in runs], person=person
    ).values_list("run_id", "amount", "currency"):
        earnings[run_id].append((amount, currency))
    payouts: dict[int, list[tuple[Decimal, str]]] = defaultdict(list)
    for run_id, amount, currency in PayoutLine.objects.filter(
        run_id__in=[r.pk for r in runs], person=person
    ).values_list("run_id", "amount", "currency"):
        payouts[run_id].append((amount, currency))
    periods = [
        PeriodPay(
            period=run.period,
            run=run,
            is_preliminary=run.approval != CalcRun.Approval.APPROVED,
            earnings=sum_by_currency(earnings[run.pk]),
            payouts=sum_by_currency(payouts[run.pk]),
        )
        for run in runs
        if earnings[run.pk] or payouts[run.pk]
    ]
    current = periods[-1] if periods else None
    measures = list(MeasureLine.objects.filter(run=current.run, person=person)) if current else []
    open_now = [p for p in periods if p.period.start_on <= on <= p.period.end_on]
    next_payout = (
        NextPayout(
            period=open_now[-1].period,
            run=open_now[-1].run,
            is_preliminary=open_now[-1].is_preliminary,
            amounts=open_now[-1].payouts,
            pay_on=pay_date(open_now[-1].period),
        )
        if open_now
        else None
    )
    return MyPay(
        person=person,
        fiscal_year=year.fiscal_year,
        periods=periods,
        earnings_to_date=sum_by_currency(pair for p in periods for pair in earnings[p.run.pk]),
        payouts_to_date=sum_by_currency(pair for p in periods for pair in payouts[p.run.pk]),
        current=current,
        measures=measures,
        next_payout=next_payout,
        leaderboard=_leaderboard(current.run, person, measures) if current else [],
    )


def _year_runs(*, fiscal_year: int, on: date) -> list[CalcRun]:
    """Per period of the fiscal year: its published run; for an open period containing `on`
    without one, its latest succeeded run. Ordered by period."""
    candidates = (
        CalcRun.objects.filter(period__fiscal_year=fiscal_year)
        .filter(
            Q(approval=CalcRun.Approval.APPROVED)
            | Q(
                status=CalcRun.Status.SUCCEEDED,
                period__status=Period.Status.OPEN,
                period__start_on__lte=on,
                period__end_on__gte=on,
            )
        )
        .select_related("period")
        .order_by("period__end_on", "-period__start_on", "-finished_at", "-pk")
    )
    chosen: dict[int, CalcRun] = {}
    for run in candidates:
        best = chosen.get(run.period_id)
        if best is None or (
            run.approval == CalcRun.Approval.APPROVED and best.approval != run.approval
        ):
            chosen[run.period_id] = run
    return sorted(chosen.values(), key=lambda r: (r.period.end_on, -r.period.start_on.toordinal()))


def _leaderboard(
    run: CalcRun, person: Person, measures: list[MeasureLine]
) -> list[LeaderboardPlace]:
    """The payee's rank per measure with attainment. Shown for every plan for now: the plan
    language has no switch for it yet."""
    mine: dict[tuple[str, str], MeasureLine] = {}
    for m in measures:  # one place per measure: its own period's line when there are several
        if m.attainment is not None and (
            (m.plan_code, m.measure_id) not in mine or m.accumulate == "period_to_date"
        ):
            mine[(m.plan_code, m.measure_id)] = m
    if not mine:
        return []
    rows = MeasureLine.objects.filter(
        run=run,
        plan_code__in={m.plan_code for m in mine.values()},
        measure_id__in={m.measure_id for m in mine.values()},
        attainment__isnull=False,
    ).values_list("person_id", "plan_code", "measure_id", "period_key", "accumulate", "attainment")
    boards: dict[tuple[str, str, str, str], dict[int, Decimal]] = defaultdict(dict)
    for person_id, plan_code, measure_id, period_key, accumulate, attainment in rows:
        if attainment is not None:
            boards[(plan_code, measure_id, period_key, accumulate)][person_id] = attainment
    places = []
    for m in mine.values():
        board = boards[(m.plan_code, m.measure_id, m.period_key, m.accumulate)]
        places.append(
            LeaderboardPlace(
                plan_code=m.plan_code,
                measure_id=m.measure_id,
                attainment=m.attainment,  # type: ignore[arg-type]
                rank=competition_ranks(board)[person.pk],
                size=len(board),
            )
        )
    return places
