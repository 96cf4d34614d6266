"""Quarterly bookings quotas for every quota carrier (sellers and managers), in their currency.

A seller's quota is their share of the quarter's expected bookings, weighted by role and
seniority, prorated for a partial quarter; a manager's is 95 % of their team's on the day the
quarter starts for them. Whole thousands of the payee's currency.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from openspm.demo.generate.base import Options, Progress, create_with_history, round_to
from openspm.demo.generate.data import LIST_PRICE_FACTOR
from openspm.demo.generate.staff import QUOTA_KINDS, Org, Staff
from openspm.demo.generate.transactions import Volume
from openspm.org.models import Period
from openspm.quotas.models import Quota

MEASURE = "bookings"
# Percent of an account executive's share of the quarter, by role.
ROLE_WEIGHT = {"senior": 120, "ae": 100, "se": 60, "sdr": 35}
MANAGER_PERCENT = 95


def _seller_weight(staff: Staff, on: date) -> int:
    kind = staff.kind_on(on)
    if kind == "ae" and (staff.title.startswith("Senior") or staff.promoted_on is not None):
        return ROLE_WEIGHT["senior"]
    return ROLE_WEIGHT[kind]


def _share_of_quarter(staff: Staff, start: date, end: date) -> tuple[int, int]:
    """(days employed in the quarter, days in the quarter)."""
    first = max(start, staff.hired_on)
    last = min(end, staff.terminated_on - timedelta(days=1)) if staff.terminated_on else end
    return max(0, (last - first).days + 1), (end - start).days + 1


def make_quotas(
    options: Options, org: Org, periods: list[Period], volume: Volume, progress: Progress
) -> int:
    rng = options.rng("quotas")
    quarters = {
        p.start_on: p
        for p in periods
        if p.kind == Period.Kind.QUARTER and p.fiscal_year in options.fiscal_years
    }
    quotas: list[Quota] = []
    for start, period in sorted(quarters.items()):
        end = period.end_on
        middle = start + (end - start) // 2
        aes = sum(1 for s in org.staff if s.sells_on(middle) and s.kind_on(middle) == "ae")
        ae_dollars = volume.expected_usd_cents.get(start, 0) // 100 // max(1, aes)
        carriers = [
            s
            for s in org.staff
            if s.employed_between(start, end) and s.kind_on(max(start, s.hired_on)) in QUOTA_KINDS
        ]
        usd: dict[int, int] = {}  # id(staff) → quota in whole US dollars, before rounding
        for staff in carriers:
            on = max(start, staff.hired_on)
            if staff.kind_on(on) == "manager":
                continue
            days, of = _share_of_quarter(staff, start, end)
            percent = _seller_weight(staff, on) * rng.randint(90, 115) // 100
            usd[id(staff)] = ae_dollars * percent // 100 * days // of
        for staff in carriers:
            on = max(start, staff.hired_on)
            if staff.kind_on(on) != "manager":
                continue
            team = [usd.get(id(s), 0) for s in org.reports_of(staff, on)]
            usd[id(staff)] = (sum(team) or 3 * ae_dollars) * MANAGER_PERCENT // 100
        for staff in carriers:
            local = usd[id(staff)] * LIST_PRICE_FACTOR[staff.currency] // 100
            quotas.append(
                Quota(
                    person_id=staff.pk,
                    period=period,
                    measure=MEASURE,
                    amount=Decimal(max(1_000, round_to(local, 1_000))),
                    currency_id=staff.currency,
                )
            )
    create_with_history(Quota, quotas)
    progress("quotas", len(quotas))
    return len(quotas)
