"""kernel.money: the one door for Decimal, immutable Money, one rounding helper."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openspm.kernel.money import D, Money, minor_unit, quantize


class TestD:
    def test_reads_text_exactly(self) -> None:
        assert D("0.035") == Decimal("0.035")
        assert D("1_000.50") == Decimal("1000.50")

    def test_refuses_float(self) -> None:
        with pytest.raises(TypeError, match="refuses float"):
            D(0.1)  # type: ignore[arg-type]

    def test_refuses_bool_and_garbage(self) -> None:
        with pytest.raises(TypeError):
            D(True)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="not a decimal"):
            D("12,5")
        with pytest.raises(ValueError, match="finite"):
            D("NaN")

    def test_passes_int_and_decimal(self) -> None:
        assert D(7) == Decimal(7)
        assert D(Decimal("1.5")) == Decimal("1.5")


class TestMoney:
    def test_is_immutable_and_keeps_precision(self) -> None:
        m = Money(D("1250.00"), "EUR") * D("0.035")
        assert m == Money(Decimal("43.75000"), "EUR")
        with pytest.raises(AttributeError):
            m.amount = D("1")  # type: ignore[misc]

    def test_refuses_mixed_currencies(self) -> None:
        with pytest.raises(ValueError, match="cannot mix"):
            Money(D("1"), "EUR") + Money(D("1"), "USD")

    def test_refuses_float_amount_and_factor(self) -> None:
        with pytest.raises(TypeError):
            Money(1.5, "EUR")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            Money(D("1"), "EUR") * 1.5  # type: ignore[operator]

    def test_rounds_to_minor_unit(self) -> None:
        assert Money(D("2.345"), "USD").rounded() == Money(D("2.35"), "USD")
        assert Money(D("2.345"), "USD").rounded("half_even") == Money(D("2.34"), "USD")
        assert Money(D("1234.5"), "JPY").rounded() == Money(D("1235"), "JPY")
        assert minor_unit("KWD") == 3

    @given(st.decimals(min_value=-(10**9), max_value=10**9, places=6))
    def test_quantize_moves_less_than_half_a_unit(self, value: Decimal) -> None:
        for mode in ("half_up", "half_even"):
            assert abs(quantize(value, 2, mode) - value) <= Decimal("0.005")  # type: ignore[arg-type]
