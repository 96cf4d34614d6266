"""The ASC 340-40 / IFRS 15 capitalisation schedule and its journal entries.

Deal lines of capitalised kinds (policy, default commission and spiff), read from each
published run's archive, become one asset per payee and deal, rounded to the cent,
amortised straight-line over `benefit_months` from the deal's booked month: each month
rounded to the cent, the remainder in the last month, so the schedule sums exactly to the
asset. When `benefit_months` ≤ 12 and the practical expedient is elected, the cost is
expensed at once in the booked month.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from openspm.comp import summaries
from openspm.comp.models import EarningLine
from openspm.comp.services.exports.common import (
    JournalLine,
    cents,
    get_policy,
    journal_line,
    published_runs_within,
    require_export,
)
from openspm.core.access import Viewer
from openspm.core.errors import OpenSPMError
from openspm.org import selectors as org_selectors
from openspm.org.models import Person
from openspm.sales.models import Transaction

DEFAULT_CAPITALIZED_KINDS = ("commission", "spiff")


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
    require_export(viewer)
    period = org_selectors.get_period(key=period_key)
    runs = published_runs_within(period)
    period_of = {run.pk: run.period.key for run in runs}
    starts = {run.period.key: run.period.start_on for run in runs}
    policy = get_policy()
    kinds = list(policy.capitalized_component_kinds or DEFAULT_CAPITALIZED_KINDS)
    totals: dict[tuple[int, str, str, str], Decimal] = defaultdict(Decimal)
    for run in runs:
        for person_id, ref, currency, amount in _deal_amounts(run.pk, kinds):
            totals[(person_id, ref, currency, period_of[run.pk])] += amount
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


def _deal_amounts(run_id: int, kinds: list[str]) -> list[tuple[int, str, str, Decimal]]:
    """(payee, deal, currency, amount) of the run's deal lines of `kinds`: from its archive,
    where they are kept (the database holds their sums per tier, `comp.summaries`), else from
    the deal lines a run written before summaries holds in the database."""
    archived = summaries.deal_amounts(run_id, component_kinds=kinds)
    if archived is None:
        if EarningLine.objects.filter(run_id=run_id, line_count__gt=0).exists():
            raise OpenSPMError(
                f"Run {run_id}'s archive is missing: its deal lines, which the capitalisation "
                "schedule needs, are kept only there."
            )
        return list(
            EarningLine.objects.filter(run_id=run_id, component_kind__in=kinds)
            .exclude(transaction_ref="")
            .values_list("person_id", "transaction_ref", "currency", "amount")
        )
    people = dict(
        Person.objects.filter(external_id__in={row[0] for row in archived}).values_list(
            "external_id", "pk"
        )
    )
    if unknown := sorted({row[0] for row in archived} - set(people)):
        raise OpenSPMError(
            f"Run {run_id} credited payees the database no longer holds under those ids: "
            f"{unknown[:5]}"
        )
    return [(people[payee], ref, currency, amount) for payee, ref, currency, amount in archived]


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
                journal_line(
                    asset.booked_on, expense, asset.amount, debit=True, memo=memo, **common
                )
            )
            lines.append(
                journal_line(
                    asset.booked_on, accrued, asset.amount, debit=False, memo=memo, **common
                )
            )
            continue
        memo = f"Capitalised commission on {deal}"
        lines.append(
            journal_line(
                asset.booked_on, asset_account, asset.amount, debit=True, memo=memo, **common
            )
        )
        lines.append(
            journal_line(asset.booked_on, accrued, asset.amount, debit=False, memo=memo, **common)
        )
        total = len(asset.months)
        for number, month in enumerate(asset.months, start=1):
            memo = f"Amortisation {number}/{total} of commission on {deal}"
            lines.append(
                journal_line(month.month, expense, month.amount, debit=True, memo=memo, **common)
            )
            lines.append(
                journal_line(
                    month.month, asset_account, month.amount, debit=False, memo=memo, **common
                )
            )
    return lines
