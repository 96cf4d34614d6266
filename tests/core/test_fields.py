from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from openspm.sales.models import FxRate, Transaction
from tests.factories import make_currency, make_person, make_transaction


@pytest.mark.django_db
class TestMoneyColumns:
    def test_largest_amount_round_trips_exactly(self) -> None:
        largest = Decimal("99999999999.9999")
        tx = make_transaction(owner=make_person(), amount=largest)
        assert Transaction.objects.get(pk=tx.pk).amount == largest

    def test_smallest_fraction_round_trips_exactly(self) -> None:
        tx = make_transaction(owner=make_person(), amount=Decimal("0.0001"))
        assert Transaction.objects.get(pk=tx.pk).amount == Decimal("0.0001")

    def test_rate_keeps_ten_places(self) -> None:
        rate = FxRate.objects.create(
            currency=make_currency("EUR"),
            quote_currency=make_currency("USD"),
            rate_on=date(2026, 1, 1),
            rate=Decimal("12345.1234567891"),
        )
        stored = FxRate.objects.get(pk=rate.pk).rate
        assert stored == Decimal("12345.1234567891")
        assert isinstance(stored, Decimal)
