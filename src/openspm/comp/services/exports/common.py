"""What every finance export shares: who may export, the published runs it reads (a period
without one is refused), rounding to the cent, and journal lines.

Amounts are `Decimal` end to end and written with exactly two decimals (never through float).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from openspm.comp.models import AccountingPolicy, CalcRun
from openspm.comp.selectors import runs as run_selectors
from openspm.core.access import Viewer, role_of
from openspm.core.errors import OpenSPMError, PermissionDenied
from openspm.core.roles import APPROVE_ROLES
from openspm.org.models import Period

CENT = Decimal("0.01")


class NotPublished(OpenSPMError):
    """The period has no published run, so there is nothing final to export."""

    status = 409
    code = "not_published"


def may_export(viewer: Viewer) -> bool:
    """Exports hold every payee's pay: finance, comp admins and administrators."""
    return role_of(viewer) in APPROVE_ROLES


def require_export(viewer: Viewer) -> None:
    if not may_export(viewer):
        raise PermissionDenied("Only finance, comp admins and administrators export payouts.")


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


def get_policy() -> AccountingPolicy:
    """The company's accounting policy (the defaults when none was saved)."""
    return AccountingPolicy.objects.order_by("pk").first() or AccountingPolicy()


def published_run(period: Period) -> CalcRun:
    run = run_selectors.get_published_run(period=period)
    if run is None:
        raise NotPublished(
            f"{period.key} has no published run: approve a run first. Exports are made from "
            "published results only."
        )
    return run


def published_runs_within(period: Period) -> list[CalcRun]:
    """The published runs of `period` and of the periods inside it (a year's quarters)."""
    runs = list(
        CalcRun.objects.select_related("period")
        .filter(
            approval=CalcRun.Approval.APPROVED,
            period__start_on__gte=period.start_on,
            period__end_on__lte=period.end_on,
        )
        .order_by("period__start_on", "period__end_on")
    )
    if not runs:
        raise NotPublished(
            f"{period.key} has no published run: approve a run first. Exports are made from "
            "published results only."
        )
    return runs


@dataclass(frozen=True)
class JournalLine:
    """One side of a journal entry; `reference` traces a line to its source document (an
    adjustment's `adjustment-<id>`), empty for lines summed from a run."""

    date: date
    account: str
    debit: Decimal
    credit: Decimal
    currency: str
    payee_id: str
    memo: str
    reference: str = ""


def journal_line(
    on: date,
    account: str,
    amount: Decimal,
    *,
    debit: bool,
    currency: str,
    payee_id: str,
    memo: str,
    reference: str = "",
) -> JournalLine:
    """A journal line; a negative amount goes to the other side."""
    if amount < 0:
        amount, debit = -amount, not debit
    zero = Decimal("0.00")
    return JournalLine(
        date=on,
        account=account,
        debit=amount if debit else zero,
        credit=zero if debit else amount,
        currency=currency,
        payee_id=payee_id,
        memo=memo,
        reference=reference,
    )
