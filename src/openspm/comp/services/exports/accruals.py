"""The GL accrual journal: per payee, period and currency, earned (earning lines) against paid
(released payout amounts, in the plan's currency), over the published runs in a period.

The accrual is earned − paid, so held amounts are in it. Lines: Dr commission expense (earned) =
Cr commissions payable (paid) + Cr accrued commissions (accrual); a negative amount moves to the
other side. Then each approved adjustment of those periods (manual, dispute, retro, referral),
which payroll pays with the period: Dr commission expense (referral rewards: the referral reward
expense account) / Cr commissions payable, its `reference` naming the adjustment
(`adjustment-<id>`, then the posted line's own reference, such as `referral-reward-<id>`).
Accounts come from the `AccountingPolicy`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from openspm.comp.models import AccountingPolicy, Adjustment, CalcRun, EarningLine, PayoutLine
from openspm.comp.services.exports.common import (
    JournalLine,
    cents,
    get_policy,
    journal_line,
    published_runs_within,
    require_export,
)
from openspm.core.access import Viewer
from openspm.org import selectors as org_selectors
from openspm.org.models import Period, Person


@dataclass(frozen=True)
class AccrualRow:
    """Earned vs paid for one payee, period and currency."""

    payee_id: str
    payee_name: str
    period: str
    currency: str
    earned: Decimal
    paid: Decimal
    held: Decimal

    @property
    def accrual(self) -> Decimal:
        return self.earned - self.paid


def accrual_rows(*, viewer: Viewer, period_key: str) -> list[AccrualRow]:
    """Earned vs paid per payee, period and currency over the published runs in the period."""
    require_export(viewer)
    period = org_selectors.get_period(key=period_key)
    return _accrual_rows(published_runs_within(period))


def _accrual_rows(runs: Sequence[CalcRun]) -> list[AccrualRow]:
    period_of = {run.pk: run.period.key for run in runs}
    earned: dict[tuple[int, str, str], Decimal] = defaultdict(Decimal)
    paid: dict[tuple[int, str, str], Decimal] = defaultdict(Decimal)
    held: dict[tuple[int, str, str], Decimal] = defaultdict(Decimal)
    for run_id, person_id, currency, amount in EarningLine.objects.filter(run__in=runs).values_list(
        "run_id", "person_id", "currency", "amount"
    ):
        earned[(person_id, period_of[run_id], currency)] += amount
    for run_id, person_id, currency, plan_amount, held_amount in PayoutLine.objects.filter(
        run__in=runs
    ).values_list("run_id", "person_id", "plan_currency", "plan_amount", "held_amount"):
        key = (person_id, period_of[run_id], currency)
        paid[key] += plan_amount or Decimal(0)
        held[key] += held_amount or Decimal(0)
    keys = earned.keys() | paid.keys()
    people = Person.objects.in_bulk({key[0] for key in keys})
    rows = [
        AccrualRow(
            payee_id=people[key[0]].external_id,
            payee_name=people[key[0]].full_name,
            period=key[1],
            currency=key[2],
            earned=cents(earned.get(key, Decimal(0))),
            paid=cents(paid.get(key, Decimal(0))),
            held=cents(held.get(key, Decimal(0))),
        )
        for key in keys
    ]
    return sorted(rows, key=lambda r: (r.period, r.payee_id, r.currency))


def adjustment_reference(adjustment: Adjustment) -> str:
    """How a journal line names its adjustment: `adjustment-<id>`, then the posted line's own
    reference when it has one (`adjustment-12 referral-reward-5`)."""
    return " ".join(filter(None, (f"adjustment-{adjustment.pk}", adjustment.reference)))


def _adjustment_lines(periods: Sequence[Period], policy: AccountingPolicy) -> list[JournalLine]:
    """Each approved adjustment of `periods` (paid with the period's payroll), dated the
    period's end: Dr commission expense, or the referral reward expense account for referral
    rewards, / Cr commissions payable; a recovery (negative) the other way round."""
    adjustments = (
        Adjustment.objects.filter(period__in=periods, status=Adjustment.Status.APPROVED)
        .select_related("period", "person")
        .order_by("period__start_on", "person__external_id", "pk")
    )
    lines = []
    for adjustment in adjustments:
        amount = cents(adjustment.amount)
        if amount == 0:
            continue
        period, person = adjustment.period, adjustment.person
        expense = (
            policy.referral_expense_account
            if adjustment.source == Adjustment.Source.REFERRAL
            else policy.expense_account
        )
        common = {
            "currency": adjustment.currency,
            "payee_id": person.external_id,
            "memo": (
                f"{period.key} adjustment of {person.full_name} "
                f"({adjustment.get_source_display().lower()}): {adjustment.description}"
            ),
            "reference": adjustment_reference(adjustment),
        }
        lines.append(journal_line(period.end_on, expense, amount, debit=True, **common))
        lines.append(
            journal_line(period.end_on, policy.payable_account, amount, debit=False, **common)
        )
    return lines


def accrual_journal(*, viewer: Viewer, period_key: str) -> list[JournalLine]:
    """Dr commission expense (earned) / Cr commissions payable (paid) / Cr accrued
    commissions (earned − paid), per payee, period and currency, dated the period's end; then
    one entry per approved adjustment of those periods (`_adjustment_lines`)."""
    require_export(viewer)
    runs = published_runs_within(org_selectors.get_period(key=period_key))
    rows = _accrual_rows(runs)
    policy = get_policy()
    periods = list({run.period.pk: run.period for run in runs}.values())
    ends = {p.key: p.end_on for p in periods}
    lines = []
    for row in rows:
        on, memo = ends[row.period], f"{row.period} commissions of {row.payee_name}"
        common = {"currency": row.currency, "payee_id": row.payee_id}
        lines.append(
            journal_line(
                on, policy.expense_account, row.earned, debit=True, memo=f"{memo}: earned", **common
            )
        )
        if row.paid:
            lines.append(
                journal_line(
                    on,
                    policy.payable_account,
                    row.paid,
                    debit=False,
                    memo=f"{memo}: paid",
                    **common,
                )
            )
        if row.accrual:
            lines.append(
                journal_line(
                    on,
                    policy.accrued_account,
                    row.accrual,
                    debit=False,
                    memo=f"{memo}: accrued (earned, not yet paid; held {row.held})",
                    **common,
                )
            )
    return lines + _adjustment_lines(periods, policy)
