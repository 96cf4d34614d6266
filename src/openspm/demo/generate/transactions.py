"""Two years of transactions with seasonality, cancellations, refunds, three currencies and splits.

Days are weighted so that each quarter ends in a rush (its last month, and its last week most),
the fourth quarter is the year's peak and this year is bigger than last. Nothing is dated after
`as_of`: statuses follow from the dates (booked, then invoiced, then paid).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from openspm.demo.generate.accounts import AccountRow
from openspm.demo.generate.base import (
    BATCH_SIZE,
    Options,
    Progress,
    WeightedChoice,
    cents_to_decimal,
    days_between,
)
from openspm.demo.generate.data import BANDS, FAMILIES, LIST_PRICE_FACTOR, FamilySpec
from openspm.demo.generate.reference import Catalogue
from openspm.demo.generate.staff import Org, Staff
from openspm.demo.generate.territories import Coverage
from openspm.org.fiscal import fiscal_periods
from openspm.sales.models import CreditSplit, Transaction

MONTH_OF_QUARTER = (7, 9, 14)  # relative volume of a quarter's first, second and third month
QUARTER_OF_YEAR = (85, 100, 95, 135)
YEAR_GROWTH = (87, 100, 115)  # two years ago (when there is data then), last year, this year
TYPES = WeightedChoice(
    [Transaction.Type.NEW, Transaction.Type.RENEWAL, Transaction.Type.UPSELL], [45, 35, 20]
)
SPLITS_2 = ((50, 50), (60, 40), (70, 30), (75, 25), (80, 20))
SPLITS_3 = (
    (Decimal(50), Decimal(25), Decimal(25)),
    (Decimal(60), Decimal(20), Decimal(20)),
    (Decimal(40), Decimal(30), Decimal(30)),
    (Decimal("33.34"), Decimal("33.33"), Decimal("33.33")),
)
CANCEL_PER_MILLE = 30
REFUND_PER_MILLE = 12
SPLIT_PERCENT = 10


@dataclass(frozen=True)
class Quarter:
    start: date
    end: date
    weight: int  # the sum of its days' weights, including days after as_of


@dataclass(frozen=True)
class Volume:
    """What was generated, for sizing quotas: expected bookings in US cents per quarter."""

    count: int
    expected_usd_cents: dict[date, int]  # quarter start → expected bookings over the quarter


def _quarters(options: Options) -> list[Quarter]:
    spans = [
        s
        for year in options.fiscal_years
        for s in fiscal_periods(year, options.fiscal_start_month)
        if s.kind == "quarter"
    ]
    first = _first_growth(options)
    return [
        Quarter(s.start_on, s.end_on, sum(_day_weight(d, s.start_on, s.end_on, first + i // 4,
                                                      i % 4)
                                          for d in days_between(s.start_on, s.end_on)))
        for i, s in enumerate(spans)
    ]  # fmt: skip


def _first_growth(options: Options) -> int:
    """The index in YEAR_GROWTH of the first fiscal year of data (this year is the last)."""
    return len(YEAR_GROWTH) - len(options.fiscal_years)


def _day_weight(day: date, q_start: date, q_end: date, year: int, quarter: int) -> int:
    months_in = (day.year - q_start.year) * 12 + day.month - q_start.month
    weight = (10 if day.weekday() < 5 else 1) * MONTH_OF_QUARTER[min(months_in, 2)]
    weight *= QUARTER_OF_YEAR[quarter] * YEAR_GROWTH[year]
    return weight * (2 if (q_end - day).days < 7 else 1)


class _Dealer:
    def __init__(
        self, options: Options, org: Org, coverage: Coverage, catalogue: Catalogue
    ) -> None:
        self.options = options
        self.rng = options.rng("transactions")
        self.coverage = coverage
        self.catalogue = catalogue
        self.families = WeightedChoice(list(FAMILIES), [f.weight for f in FAMILIES])
        self.seats = {b[0]: b[3] for b in BANDS}
        self.sellers: dict[str, list[Staff]] = {}
        for staff in org.sellers():
            self.sellers.setdefault(staff.region, []).append(staff)
        self.all_aes = org.sellers("ae")

    def owner(self, account: AccountRow, on: date) -> Staff:
        """The account's owner on the day: its territory's owners take turns by account, so
        today's owner is `account.owner` and people who left had their accounts before."""
        owners = self.coverage.owners_on(account.territory, on) if account.territory else []
        if not owners:
            owners = [s for s in self.sellers.get(account.country.region, []) if _ae_on(s, on)]
        if not owners:
            owners = [s for s in self.all_aes if _ae_on(s, on)] or self.all_aes
        return owners[account.draw % len(owners)]

    def splits(self, owner: Staff, region: str, on: date) -> list[tuple[Staff, Decimal]]:
        rng = self.rng
        if rng.randrange(100) >= SPLIT_PERCENT:
            return []
        others = [s for s in self.sellers.get(region, []) if s is not owner and s.sells_on(on)]
        by_kind = {k: [s for s in others if s.kind_on(on) == k] for k in ("se", "sdr", "ae")}
        picks: list[Staff] = []
        for kinds in (("se", "ae", "sdr"), ("sdr", "ae", "se")):
            pool = next(([s for s in by_kind[k] if s not in picks] for k in kinds
                         if any(s not in picks for s in by_kind[k])), [])  # fmt: skip
            if pool:
                picks.append(rng.choice(pool))
        if not picks:
            return []
        if len(picks) == 2 and rng.randrange(10) < 3:
            return list(zip([owner, *picks], rng.choice(SPLITS_3), strict=True))
        first, second = rng.choice(SPLITS_2)
        return [(owner, Decimal(first)), (picks[0], Decimal(second))]

    def deal(
        self, n: int, account: AccountRow, owner: Staff, booked_on: date
    ) -> tuple[Transaction, int]:
        """A transaction (not saved) and its amount in cents of its currency."""
        rng, as_of = self.rng, self.options.as_of
        family: FamilySpec = self.families.draw(rng)
        product, spec = rng.choice(self.catalogue.products[family.code])
        low, high = self.seats[account.band]
        quantity = rng.randint(low, high) if spec.per_seat else rng.randint(1, 1 + high // 200)
        discount = rng.randint(0, 35 if account.band == "strategic" else 25)
        usd_cents = spec.unit_price * 100 * quantity * (100 - discount) // 100
        currency = account.country.currency
        cents = usd_cents * LIST_PRICE_FACTOR[currency] // 100
        cost_cents = cents * (family.cost_percent + rng.randint(-3, 3)) // 100
        closed_on = booked_on - timedelta(days=rng.randint(0, 3))
        tx = Transaction(
            external_id=f"DEAL-{n:06d}",
            account_id=account.pk,
            product=product,
            owner_id=owner.pk,
            booked_on=booked_on,
            closed_on=closed_on,
            amount=cents_to_decimal(cents),
            currency_id=currency,
            cost_amount=cents_to_decimal(cost_cents),
            quantity=Decimal(quantity),
            type=TYPES.draw(rng),
            **_lifecycle(rng, booked_on, as_of, cents),
        )
        return tx, cents


def _lifecycle(rng: random.Random, booked_on: date, as_of: date, cents: int) -> dict[str, object]:
    """Status and the dates (and cash collected) that go with it, none after `as_of`.

    A deal is invoiced within three weeks of booking and paid 10–75 days later, a quarter of
    the invoiced-but-unpaid ones are partly paid; a few are cancelled within weeks of booking,
    a few paid ones are refunded later: `cancelled_on` dates both (clawbacks).
    """

    def days(low: int, high: int) -> timedelta:
        return timedelta(days=rng.randint(low, high))

    if rng.randrange(1_000) < CANCEL_PER_MILLE:
        return {
            "status": Transaction.Status.CANCELLED,
            "cancelled_on": max(booked_on, min(booked_on + days(3, 45), as_of)),
        }
    invoiced_on = booked_on + days(0, 20)
    paid_on = invoiced_on + days(10, 75)
    if invoiced_on > as_of:
        return {"status": Transaction.Status.BOOKED}
    if paid_on > as_of:
        partly = rng.randrange(4) == 0
        collected = cents * rng.randint(20, 80) // 100 if partly else None
        return {
            "status": Transaction.Status.INVOICED,
            "invoiced_on": invoiced_on,
            "collected_amount": None if collected is None else cents_to_decimal(collected),
        }
    paid = {
        "status": Transaction.Status.PAID,
        "invoiced_on": invoiced_on,
        "paid_on": paid_on,
        "collected_amount": cents_to_decimal(cents),
    }
    refunded_on = paid_on + days(5, 60)
    if rng.randrange(1_000) < REFUND_PER_MILLE and refunded_on <= as_of:
        paid.update(status=Transaction.Status.REFUNDED, cancelled_on=refunded_on)
    return paid


def _ae_on(staff: Staff, on: date) -> bool:
    return staff.sells_on(on) and staff.kind_on(on) == "ae"


def make_transactions(
    options: Options,
    org: Org,
    coverage: Coverage,
    accounts: list[AccountRow],
    catalogue: Catalogue,
    progress: Progress,
) -> Volume:
    dealer = _Dealer(options, org, coverage, catalogue)
    rng: random.Random = dealer.rng
    quarters = _quarters(options)
    days: list[date] = []
    weights: list[int] = []
    first = _first_growth(options)
    for i, quarter in enumerate(quarters):
        for day in days_between(quarter.start, min(quarter.end, options.as_of)):
            days.append(day)
            weights.append(_day_weight(day, quarter.start, quarter.end, first + i // 4, i % 4))
    count = options.count(60_000, 200)
    pick_day = WeightedChoice(days, weights)
    dates = sorted(pick_day.draw(rng) for _ in range(count))
    frequency = {b[0]: b[2] for b in BANDS}
    pick_account = WeightedChoice(accounts, [frequency[a.band] for a in accounts])
    usd_cents = 0
    split_count = 0
    for batch_start in range(0, count, BATCH_SIZE):
        batch: list[Transaction] = []
        batch_splits: list[list[tuple[Staff, Decimal]]] = []
        for n in range(batch_start, min(count, batch_start + BATCH_SIZE)):
            account = pick_account.draw(rng)
            owner = dealer.owner(account, dates[n])
            tx, cents = dealer.deal(n + 1, account, owner, dates[n])
            batch.append(tx)
            batch_splits.append(dealer.splits(owner, account.country.region, dates[n]))
            if tx.status != Transaction.Status.CANCELLED:
                usd_cents += cents * 100 // LIST_PRICE_FACTOR[account.country.currency]
        Transaction.objects.bulk_create(batch)
        splits = [
            CreditSplit(transaction_id=tx.pk, person_id=staff.pk, split_percent=percent)
            for tx, tx_splits in zip(batch, batch_splits, strict=True)
            for staff, percent in tx_splits
        ]
        CreditSplit.objects.bulk_create(splits)
        split_count += sum(1 for s in batch_splits if s)
        done = batch_start + len(batch)
        if done == count or done % 10_000 == 0:
            progress("transactions", done)
    progress("split transactions", split_count)
    total_weight = sum(weights)
    expected = {
        q.start: usd_cents * q.weight // total_weight if total_weight else 0 for q in quarters
    }
    return Volume(count=count, expected_usd_cents=expected)
