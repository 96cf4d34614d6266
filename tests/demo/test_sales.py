"""The demo company's sales data: territories, accounts, products, transactions, splits, FX."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from itertools import pairwise

import pytest

from openspm.sales.models import (
    Account,
    CreditSplit,
    FxRate,
    ProductFamily,
    Transaction,
)
from openspm.territories import selectors as territory_selectors
from openspm.territories.models import NamedAccount, Territory, TerritoryMember

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("company")]

START = date(2025, 1, 1)


class TestTerritoriesAndAccounts:
    def test_three_regions_and_about_twenty_territories(self) -> None:
        regions = Territory.objects.filter(parent__isnull=True)

        assert sorted(regions.values_list("region", flat=True)) == [
            "APAC",
            "EMEA",
            "North America",
        ]
        assert 18 <= Territory.objects.count() <= 22
        assert NamedAccount.objects.exists()

    def test_every_account_falls_in_a_territory_and_is_owned_by_its_owner(
        self, as_of: date
    ) -> None:
        accounts = list(Account.objects.all())
        matched = territory_selectors.match_territories(accounts=accounts)

        for account in accounts:
            territory = matched[account.pk]
            assert territory is not None, account
            owners = territory_selectors.list_owners_on(territory_id=territory.pk, on=as_of)
            assert account.owner_id in {m.person_id for m in owners if m.role == "owner"}

    def test_every_leaf_territory_has_an_owner_today(self, as_of: date) -> None:
        for territory in Territory.objects.filter(parent__isnull=False):
            owners = territory_selectors.list_owners_on(territory_id=territory.pk, on=as_of)
            assert any(m.role == TerritoryMember.Role.OWNER for m in owners), territory

    def test_six_product_families_with_products(self) -> None:
        families = ProductFamily.objects.all()

        assert families.count() == 6
        for family in families:
            assert family.products.count() >= 2


class TestTransactions:
    def test_three_currencies(self) -> None:
        currencies = set(Transaction.objects.values_list("currency_id", flat=True))

        assert currencies == {"USD", "EUR", "GBP"}

    def test_nothing_is_dated_after_today(self, as_of: date) -> None:
        for field in ("booked_on", "closed_on", "invoiced_on", "paid_on", "cancelled_on"):
            latest = Transaction.objects.order_by(f"-{field}").exclude(**{field: None}).first()
            assert latest is not None
            assert getattr(latest, field) <= as_of, field
        assert Transaction.objects.order_by("booked_on").first().booked_on >= START

    def test_dates_follow_the_status(self) -> None:
        for tx in Transaction.objects.all():
            assert tx.closed_on is not None
            assert tx.closed_on <= tx.booked_on
            if tx.status in (Transaction.Status.BOOKED, Transaction.Status.CANCELLED):
                assert tx.invoiced_on is None, tx
                assert tx.paid_on is None, tx
            elif tx.status == Transaction.Status.INVOICED:
                assert tx.invoiced_on >= tx.booked_on, tx
                assert tx.paid_on is None, tx
            else:
                assert tx.paid_on > tx.invoiced_on >= tx.booked_on, tx

    def test_cancellations_and_refunds_are_dated_after_the_booking_and_the_payment(
        self, as_of: date
    ) -> None:
        for tx in Transaction.objects.all():
            if tx.status == Transaction.Status.CANCELLED:
                assert tx.booked_on <= tx.cancelled_on <= as_of, tx
            elif tx.status == Transaction.Status.REFUNDED:
                assert tx.paid_on < tx.cancelled_on <= as_of, tx
            else:
                assert tx.cancelled_on is None, tx

    def test_cash_collected_follows_payment(self) -> None:
        partly = 0
        for tx in Transaction.objects.all():
            if tx.status in (Transaction.Status.PAID, Transaction.Status.REFUNDED):
                assert tx.collected_amount == tx.amount, tx
            elif tx.status == Transaction.Status.INVOICED and tx.collected_amount is not None:
                assert 0 < tx.collected_amount < tx.amount, tx
                partly += 1
            else:
                assert tx.collected_amount is None, tx
        assert partly > 0

    def test_mix_of_statuses_and_types(self) -> None:
        statuses = Counter(Transaction.objects.values_list("status", flat=True))
        types = Counter(Transaction.objects.values_list("type", flat=True))
        total = sum(statuses.values())

        assert set(types) == {"new", "renewal", "upsell"}
        assert {"booked", "invoiced", "paid", "cancelled"} <= set(statuses)
        assert 0.01 * total <= statuses["cancelled"] <= 0.06 * total

    def test_amounts_and_costs_are_exact_decimals_with_a_margin(self) -> None:
        for amount, cost in Transaction.objects.values_list("amount", "cost_amount"):
            assert isinstance(amount, Decimal)
            assert amount > 0
            assert 0 < cost < amount
            assert amount == amount.quantize(Decimal("0.01"))

    def test_quarter_ends_and_the_fourth_quarter_are_busiest(self) -> None:
        by_month = Counter(
            (d.year, d.month) for d in Transaction.objects.values_list("booked_on", flat=True)
        )
        quarter_ends = sum(n for (y, m), n in by_month.items() if y == 2025 and m % 3 == 0)
        quarter_starts = sum(n for (y, m), n in by_month.items() if y == 2025 and m % 3 == 1)
        q4 = sum(n for (y, m), n in by_month.items() if y == 2025 and m >= 10)
        q3 = sum(n for (y, m), n in by_month.items() if y == 2025 and 7 <= m <= 9)

        assert quarter_ends > 1.5 * quarter_starts
        assert q4 > q3

    def test_owners_were_employed_when_they_booked(self) -> None:
        for tx in Transaction.objects.select_related("owner"):
            assert tx.owner.hired_on <= tx.booked_on
            assert tx.owner.terminated_on is None or tx.booked_on < tx.owner.terminated_on


class TestSplits:
    def test_about_a_tenth_of_deals_split_two_or_three_ways_summing_to_100(self) -> None:
        by_tx: dict[int, list[Decimal]] = defaultdict(list)
        for tx_id, percent in CreditSplit.objects.values_list("transaction_id", "split_percent"):
            by_tx[tx_id].append(percent)
        total = Transaction.objects.count()

        assert 0.05 * total <= len(by_tx) <= 0.15 * total
        assert {len(p) for p in by_tx.values()} == {2, 3}
        for percents in by_tx.values():
            assert sum(percents, Decimal(0)) == Decimal(100)

    def test_the_owner_takes_a_share_of_each_split(self) -> None:
        for split_tx in Transaction.objects.filter(splits__isnull=False).distinct():
            people = set(split_tx.splits.values_list("person_id", flat=True))
            assert split_tx.owner_id in people


class TestFxRates:
    def test_a_rate_to_usd_every_day_for_eur_and_gbp(self, as_of: date) -> None:
        days = (as_of - START).days + 1
        for currency in ("EUR", "GBP"):
            rates = FxRate.objects.filter(currency_id=currency, quote_currency_id="USD")
            assert rates.count() == days
            assert rates.order_by("rate_on").first().rate_on == START
            assert rates.order_by("-rate_on").first().rate_on == as_of

    def test_rates_stay_plausible_with_six_places(self) -> None:
        for currency, low, high in (("EUR", "0.85", "1.25"), ("GBP", "1.05", "1.45")):
            rates = FxRate.objects.filter(
                currency_id=currency, quote_currency_id="USD"
            ).values_list("rate", flat=True)
            for rate in rates:
                assert Decimal(low) < rate < Decimal(high)
                assert rate == rate.quantize(Decimal("0.000001"))

    def test_rates_back_from_usd_are_the_inverse_to_eight_places(self) -> None:
        there = dict(
            FxRate.objects.filter(currency_id="GBP", quote_currency_id="USD").values_list(
                "rate_on", "rate"
            )
        )
        back = dict(
            FxRate.objects.filter(currency_id="USD", quote_currency_id="GBP").values_list(
                "rate_on", "rate"
            )
        )

        assert back.keys() == there.keys()
        for day, rate in there.items():
            assert back[day] == (1 / rate).quantize(Decimal("0.00000001"))

    def test_rates_move_from_day_to_day(self) -> None:
        rates = list(
            FxRate.objects.filter(currency_id="EUR", quote_currency_id="USD")
            .order_by("rate_on")
            .values_list("rate")
        )
        changes = sum(1 for a, b in pairwise(rates) if a != b)

        assert changes > len(rates) // 2
