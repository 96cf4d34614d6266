"""Finance exports of published results: the payroll file, the GL accrual journal, and the
ASC 340-40 / IFRS 15 capitalisation schedule with its journal entries.

Amounts are `Decimal` end to end and written with exactly two decimals (never through
float). Everything here reads published runs only: a period without one is refused.

- Payroll: one row per payee, currency and earning code. Plan payouts use
  `AccountingPolicy.payroll_earning_code`; approved adjustments paid in the period use
  `adjustment_earning_code`, referral rewards (adjustments of source `referral`)
  `referral_earning_code`. The pay date is the period's last day + `PAY_DELAY_DAYS` (15).
- Accrual journal: per payee, period and currency, earned (earning lines) against paid
  (released payout amounts, in the plan's currency). The accrual is earned − paid, so held
  amounts are in it. Lines: Dr commission expense (earned) = Cr commissions payable (paid) +
  Cr accrued commissions (accrual); a negative amount moves to the other side. Then each
  approved adjustment of those periods (manual, dispute, retro, referral), which payroll pays
  with the period: Dr commission expense (referral rewards: the referral reward expense
  account) / Cr commissions payable, its `reference` naming the adjustment (`adjustment-<id>`,
  then the posted line's own reference, such as `referral-reward-<id>`). Accounts come from
  the `AccountingPolicy`.
- Capitalisation: commission lines of capitalised kinds (policy, default commission and
  spiff) that belong to a deal become one asset per payee and deal, rounded to the cent,
  amortised straight-line over `benefit_months` from the deal's booked month: each month
  rounded to the cent, the remainder in the last month, so the schedule sums exactly to the
  asset. When `benefit_months` ≤ 12 and the practical expedient is elected, the cost is
  expensed at once in the booked month.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from openspm.comp.models import AccountingPolicy, Adjustment, CalcRun, EarningLine, PayoutLine
from openspm.comp.selectors import runs as run_selectors
from openspm.core.access import Viewer, role_of
from openspm.core.errors import InvalidInput, OpenSPMError, PermissionDenied
from openspm.core.roles import APPROVE_ROLES
from openspm.org import selectors as org_selectors
from openspm.org.models import Period, Person
from openspm.sales.models import Transaction

CENT = Decimal("0.01")
PAY_DELAY_DAYS = 15
DEFAULT_CAPITALIZED_KINDS = ("commission", "spiff")
EXPORT_KINDS = ("payroll", "accruals", "capitalization", "capitalization-journal")


class NotPublished(OpenSPMError):
    """The period has no published run, so there is nothing final to export."""

    status = 409
    code = "not_published"


def may_export(viewer: Viewer) -> bool:
    """Exports hold every payee's pay: finance, comp admins and administrators."""
    return role_of(viewer) in APPROVE_ROLES


def _require_export(viewer: Viewer) -> None:
    if not may_export(viewer):
        raise PermissionDenied("Only finance, comp admins and administrators export payouts.")


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


def get_policy() -> AccountingPolicy:
    """The company's accounting policy (the defaults when none was saved)."""
    return AccountingPolicy.objects.order_by("pk").first() or AccountingPolicy()


def _published_run(period: Period) -> CalcRun:
    run = run_selectors.get_published_run(period=period)
    if run is None:
        raise NotPublished(
            f"{period.key} has no published run: approve a run first. Exports are made from "
            "published results only."
        )
    return run


def _published_runs_within(period: Period) -> list[CalcRun]:
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


# --- payroll --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PayrollRow:
    payee_id: str
    payee_name: str
    amount: Decimal
    currency: str
    pay_date: date
    earning_code: str
    period: str


def pay_date(period: Period) -> date:
    return period.end_on + timedelta(days=PAY_DELAY_DAYS)


def payroll_rows(*, viewer: Viewer, period_key: str) -> list[PayrollRow]:
    """What payroll pays for `period_key`: the published run's payouts and the period's
    approved adjustments, one row per payee, currency and earning code (zero rows left out)."""
    _require_export(viewer)
    period = org_selectors.get_period(key=period_key)
    run = _published_run(period)
    policy = get_policy()
    totals: dict[tuple[int, str, str], Decimal] = defaultdict(Decimal)
    for person_id, currency, amount in PayoutLine.objects.filter(run=run).values_list(
        "person_id", "currency", "amount"
    ):
        totals[(person_id, currency, policy.payroll_earning_code)] += amount
    adjustments = Adjustment.objects.filter(period=period, status=Adjustment.Status.APPROVED)
    for person_id, currency, amount, source in adjustments.values_list(
        "person_id", "currency", "amount", "source"
    ):
        code = (
            policy.referral_earning_code
            if source == Adjustment.Source.REFERRAL
            else policy.adjustment_earning_code
        )
        totals[(person_id, currency, code)] += amount
    people = Person.objects.in_bulk({key[0] for key in totals})
    rows = [
        PayrollRow(
            payee_id=people[person_id].external_id,
            payee_name=people[person_id].full_name,
            amount=cents(amount),
            currency=currency,
            pay_date=pay_date(period),
            earning_code=code,
            period=period.key,
        )
        for (person_id, currency, code), amount in totals.items()
        if cents(amount) != 0
    ]
    return sorted(rows, key=lambda r: (r.payee_id, r.earning_code, r.currency))


# --- GL accrual journal ---------------------------------------------------------------------


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


def _line(
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


def accrual_rows(*, viewer: Viewer, period_key: str) -> list[AccrualRow]:
    """Earned vs paid per payee, period and currency over the published runs in the period."""
    _require_export(viewer)
    period = org_selectors.get_period(key=period_key)
    return _accrual_rows(_published_runs_within(period))


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
        lines.append(_line(period.end_on, expense, amount, debit=True, **common))
        lines.append(_line(period.end_on, policy.payable_account, amount, debit=False, **common))
    return lines


def accrual_journal(*, viewer: Viewer, period_key: str) -> list[JournalLine]:
    """Dr commission expense (earned) / Cr commissions payable (paid) / Cr accrued
    commissions (earned − paid), per payee, period and currency, dated the period's end; then
    one entry per approved adjustment of those periods (`_adjustment_lines`)."""
    _require_export(viewer)
    runs = _published_runs_within(org_selectors.get_period(key=period_key))
    rows = _accrual_rows(runs)
    policy = get_policy()
    periods = list({run.period.pk: run.period for run in runs}.values())
    ends = {p.key: p.end_on for p in periods}
    lines = []
    for row in rows:
        on, memo = ends[row.period], f"{row.period} commissions of {row.payee_name}"
        common = {"currency": row.currency, "payee_id": row.payee_id}
        lines.append(
            _line(
                on, policy.expense_account, row.earned, debit=True, memo=f"{memo}: earned", **common
            )
        )
        if row.paid:
            lines.append(
                _line(
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
                _line(
                    on,
                    policy.accrued_account,
                    row.accrual,
                    debit=False,
                    memo=f"{memo}: accrued (earned, not yet paid; held {row.held})",
                    **common,
                )
            )
    return lines + _adjustment_lines(periods, policy)


# --- ASC 340-40 / IFRS 15 capitalisation ----------------------------------------------------


def amortize(amount: Decimal, months: int) -> list[Decimal]:
    """Straight-line over `months`: each month rounded to the cent, the remainder in the
    last month, so the parts sum exactly to `amount` (36,000 over 36 → 1,000 a month)."""
    if months < 1:
        raise ValueError("months must be at least 1")
    monthly = cents(amount / months)
    return [monthly] * (months - 1) + [amount - monthly * (months - 1)]


def _add_months(on: date, months: int) -> date:
    index = on.year * 12 + on.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class ScheduleMonth:
    month: date
    amount: Decimal
    balance: Decimal


@dataclass(frozen=True)
class Asset:
    """One payee's capitalised cost of one deal, and how it is expensed."""

    payee_id: str
    payee_name: str
    transaction_ref: str
    booked_on: date
    period: str
    amount: Decimal
    currency: str
    expensed_at_once: bool
    months: tuple[ScheduleMonth, ...]


def capitalization_schedule(*, viewer: Viewer, period_key: str) -> list[Asset]:
    """The capitalised commission of the published runs in `period_key`, per payee and deal,
    with each month's amortisation."""
    _require_export(viewer)
    period = org_selectors.get_period(key=period_key)
    runs = _published_runs_within(period)
    period_of = {run.pk: run.period.key for run in runs}
    starts = {run.period.key: run.period.start_on for run in runs}
    policy = get_policy()
    kinds = list(policy.capitalized_component_kinds or DEFAULT_CAPITALIZED_KINDS)
    totals: dict[tuple[int, str, str, str], Decimal] = defaultdict(Decimal)
    lines = (
        EarningLine.objects.filter(run__in=runs, component_kind__in=kinds)
        .exclude(transaction_ref="")
        .values_list("run_id", "person_id", "transaction_ref", "currency", "amount")
    )
    for run_id, person_id, ref, currency, amount in lines:
        totals[(person_id, ref, currency, period_of[run_id])] += amount
    booked = dict(
        Transaction.objects.filter(external_id__in={k[1] for k in totals}).values_list(
            "external_id", "booked_on"
        )
    )
    people = Person.objects.in_bulk({k[0] for k in totals})
    expensed = policy.practical_expedient and policy.benefit_months <= 12
    assets = []
    for (person_id, ref, currency, key), amount in totals.items():
        asset = cents(amount)
        if asset == 0:
            continue
        # A deal no longer in the sales data counts from its run's period start.
        booked_on = booked.get(ref) or starts[key]
        start = booked_on.replace(day=1)
        parts = [asset] if expensed else amortize(asset, policy.benefit_months)
        balance, months = asset, []
        for index, part in enumerate(parts):
            balance -= part
            months.append(ScheduleMonth(_add_months(start, index), part, balance))
        assets.append(
            Asset(
                payee_id=people[person_id].external_id,
                payee_name=people[person_id].full_name,
                transaction_ref=ref,
                booked_on=booked_on,
                period=key,
                amount=asset,
                currency=currency,
                expensed_at_once=expensed,
                months=tuple(months),
            )
        )
    return sorted(assets, key=lambda a: (a.booked_on, a.payee_id, a.transaction_ref))


def capitalization_journal(*, viewer: Viewer, period_key: str) -> list[JournalLine]:
    """Each asset's entries: Dr capitalised contract costs / Cr accrued commissions when
    booked, then each month Dr commission expense / Cr capitalised contract costs. A cost
    expensed at once is Dr commission expense / Cr accrued commissions in its booked month."""
    policy = get_policy()
    expense, accrued, asset_account = (
        policy.expense_account,
        policy.accrued_account,
        policy.asset_account,
    )
    lines = []
    for asset in capitalization_schedule(viewer=viewer, period_key=period_key):
        deal = f"{asset.payee_name}, deal {asset.transaction_ref}"
        common = {"currency": asset.currency, "payee_id": asset.payee_id}
        if asset.expensed_at_once:
            memo = f"Commission on {deal}, expensed when incurred (practical expedient)"
            lines.append(
                _line(asset.booked_on, expense, asset.amount, debit=True, memo=memo, **common)
            )
            lines.append(
                _line(asset.booked_on, accrued, asset.amount, debit=False, memo=memo, **common)
            )
            continue
        memo = f"Capitalised commission on {deal}"
        lines.append(
            _line(asset.booked_on, asset_account, asset.amount, debit=True, memo=memo, **common)
        )
        lines.append(
            _line(asset.booked_on, accrued, asset.amount, debit=False, memo=memo, **common)
        )
        total = len(asset.months)
        for number, month in enumerate(asset.months, start=1):
            memo = f"Amortisation {number}/{total} of commission on {deal}"
            lines.append(_line(month.month, expense, month.amount, debit=True, memo=memo, **common))
            lines.append(
                _line(month.month, asset_account, month.amount, debit=False, memo=memo, **common)
            )
    return lines


# --- files ----------------------------------------------------------------------------------


def _text(value: object) -> str:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_text(v) for v in row] for row in rows)
    return out.getvalue()


def export_csv(*, viewer: Viewer, kind: str, period_key: str) -> str:
    """One export as CSV text: payroll, accruals, capitalization or capitalization-journal."""
    _require_export(viewer)
    if kind == "payroll":
        payroll = payroll_rows(viewer=viewer, period_key=period_key)
        header = [f.name for f in fields(PayrollRow)]
        return _csv(header, ([getattr(r, h) for h in header] for r in payroll))
    if kind == "accruals":
        journal = accrual_journal(viewer=viewer, period_key=period_key)
        header = [f.name for f in fields(JournalLine)]
        return _csv(header, ([getattr(r, h) for h in header] for r in journal))
    if kind == "capitalization":
        header = [
            "payee_id",
            "payee_name",
            "transaction_ref",
            "booked_on",
            "period",
            "asset_amount",
            "currency",
            "month",
            "amortization",
            "balance",
        ]
        schedule = capitalization_schedule(viewer=viewer, period_key=period_key)
        return _csv(
            header,
            (
                [
                    a.payee_id,
                    a.payee_name,
                    a.transaction_ref,
                    a.booked_on,
                    a.period,
                    a.amount,
                    a.currency,
                    m.month.strftime("%Y-%m"),
                    m.amount,
                    m.balance,
                ]
                for a in schedule
                for m in a.months
            ),
        )
    if kind == "capitalization-journal":
        journal = capitalization_journal(viewer=viewer, period_key=period_key)
        header = [f.name for f in fields(JournalLine)]
        return _csv(header, ([getattr(r, h) for h in header] for r in journal))
    raise InvalidInput(f"No export {kind!r}: choose one of {', '.join(EXPORT_KINDS)}.")
