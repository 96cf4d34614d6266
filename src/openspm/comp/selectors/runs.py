"""Runs and their published state, restricted to what the viewer may see."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from openspm.comp.models import ACTIVE_STATUSES, CalcRun, PayoutLine
from openspm.core.access import Viewer, is_internal, role_of
from openspm.core.errors import NotFound
from openspm.core.roles import APPROVE_ROLES
from openspm.org import selectors as org_selectors
from openspm.org.models import Period


def sees_runs(viewer: Viewer) -> bool:
    """Runs (all payees at once) are for administrators, comp admins and finance."""
    return role_of(viewer) in APPROVE_ROLES


def list_runs(*, viewer: Viewer, period_key: str = "") -> QuerySet[CalcRun]:
    qs = CalcRun.objects.select_related("period", "requested_by")
    if not sees_runs(viewer):
        return qs.none()
    return qs.filter(period__key=period_key) if period_key else qs


def get_run(*, viewer: Viewer, run_id: int) -> CalcRun:
    run = list_runs(viewer=viewer).filter(pk=run_id).first()
    if run is None:
        raise NotFound("No such run.")
    return run


def get_published_run(*, period: Period) -> CalcRun | None:
    """The run whose results are final for `period`: the one fully approved."""
    return CalcRun.objects.filter(period=period, approval=CalcRun.Approval.APPROVED).first()


def get_latest_succeeded_run(*, period: Period) -> CalcRun | None:
    return (
        CalcRun.objects.filter(period=period, status=CalcRun.Status.SUCCEEDED)
        .order_by("-finished_at", "-pk")
        .first()
    )


def get_statement_run(*, viewer: Viewer, period: Period) -> CalcRun | None:
    """The run a viewer's statements come from: the published run; comp admins, finance and
    administrators also see the latest succeeded run before it is published (a preview)."""
    published = get_published_run(period=period)
    if published is not None or not sees_runs(viewer) or not is_internal(viewer):
        return published
    return get_latest_succeeded_run(period=period)


# --- a run's page: what it read, what it used, and what it pays -----------------------------


@dataclass(frozen=True)
class PayeeTotal:
    """What one payee is paid by a run, in one currency (display totals of the lines)."""

    person_id: int
    external_id: str
    name: str
    currency: str
    amount: Decimal
    held_amount: Decimal
    line_count: int


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    amount: Decimal
    payee_count: int


def list_payee_totals(*, viewer: Viewer, run_id: int) -> list[PayeeTotal]:
    """Per payee and currency, the sum of the run's payout lines (one query)."""
    run = get_run(viewer=viewer, run_id=run_id)
    rows = (
        PayoutLine.objects.filter(run=run)
        .values(
            "person_id",
            "person__external_id",
            "person__first_name",
            "person__last_name",
            "currency",
        )
        .annotate(total=Sum("amount"), held=Sum("held_amount"), lines=Count("id"))
        .order_by("person__last_name", "person__first_name", "person_id", "currency")
    )
    return [
        PayeeTotal(
            person_id=row["person_id"],
            external_id=row["person__external_id"],
            name=f"{row['person__first_name']} {row['person__last_name']}",
            currency=row["currency"],
            amount=_decimal(row["total"]),
            held_amount=_decimal(row["held"]),
            line_count=row["lines"],
        )
        for row in rows
    ]


def list_currency_totals(*, viewer: Viewer, run_id: int) -> list[CurrencyTotal]:
    """The run's payouts summed per currency (one query)."""
    run = get_run(viewer=viewer, run_id=run_id)
    rows = (
        PayoutLine.objects.filter(run=run)
        .values("currency")
        .annotate(total=Sum("amount"), payees=Count("person_id", distinct=True))
        .order_by("currency")
    )
    return [
        CurrencyTotal(
            currency=row["currency"], amount=_decimal(row["total"]), payee_count=row["payees"]
        )
        for row in rows
    ]


def get_active_run(*, period: Period) -> CalcRun | None:
    return CalcRun.objects.filter(period=period, status__in=ACTIVE_STATUSES).first()


def _decimal(value: object) -> Decimal:
    """A display sum at the lines' scale (SQLite may hand back 18500 for 18500.0000)."""
    if isinstance(value, float):
        raise TypeError("a money sum came back as float")
    amount = value if isinstance(value, Decimal) else Decimal(str(value or 0))
    return amount.quantize(Decimal("0.0001"))  # the lines' own scale, on either database


def list_run_periods() -> list[Period]:
    """Periods a run or a simulation can be asked for: those that have begun, newest first."""
    return list(
        Period.objects.filter(start_on__lte=org_selectors.today()).order_by("-start_on", "end_on")
    )
