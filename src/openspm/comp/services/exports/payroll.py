"""The payroll file: one row per payee, currency and earning code for a period's published run.

Plan payouts use `AccountingPolicy.payroll_earning_code`; approved adjustments paid in the
period use `adjustment_earning_code`, referral rewards (adjustments of source `referral`)
`referral_earning_code`. The pay date is the period's last day + `PAY_DELAY_DAYS` (15).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from openspm.comp.models import Adjustment, PayoutLine
from openspm.comp.services.exports.common import cents, get_policy, published_run, require_export
from openspm.core.access import Viewer
from openspm.org import selectors as org_selectors
from openspm.org.models import Period, Person

PAY_DELAY_DAYS = 15


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
    require_export(viewer)
    period = org_selectors.get_period(key=period_key)
    run = published_run(period)
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
