"""Money: ``Decimal`` only, through one door (STYLE M1-M3).

``D()`` builds a ``Decimal`` from text, an int or a ``Decimal`` and refuses ``float``;
``Money`` is an immutable amount in a currency; ``quantize()`` is the one rounding helper.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

RoundingMode = Literal["half_up", "half_even"]

_MODES: dict[str, str] = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}

#: ISO 4217 minor units that differ from 2 (all others default to 2).
MINOR_UNITS: dict[str, int] = {
    "BHD": 3,
    "CLP": 0,
    "IQD": 3,
    "ISK": 0,
    "JOD": 3,
    "JPY": 0,
    "KRW": 0,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "PYG": 0,
    "TND": 3,
    "UGX": 0,
    "VND": 0,
    "XAF": 0,
    "XOF": 0,
}


def D(value: str | int | Decimal) -> Decimal:
    """Return ``value`` as a ``Decimal``; ``float`` (and ``bool``) are refused."""
    if isinstance(value, bool | float):
        raise TypeError(f"D() refuses {type(value).__name__} {value!r}: pass a str or Decimal")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            result = Decimal(value.strip().replace("_", ""))
        except InvalidOperation:
            raise ValueError(f"not a decimal number: {value!r}") from None
        if not result.is_finite():
            raise ValueError(f"not a finite decimal number: {value!r}")
        return result
    raise TypeError(f"D() refuses {type(value).__name__} {value!r}")


def minor_unit(currency: str) -> int:
    """Decimal places of ``currency``'s minor unit (2 unless listed in ``MINOR_UNITS``)."""
    return MINOR_UNITS.get(currency.upper(), 2)


def quantize(amount: Decimal, places: int, mode: RoundingMode = "half_up") -> Decimal:
    """Round ``amount`` to ``places`` decimals in ``mode``: the one rounding helper."""
    if isinstance(amount, float):
        raise TypeError("quantize() refuses float")
    return amount.quantize(Decimal(1).scaleb(-places), rounding=_MODES[mode])


@dataclass(frozen=True, slots=True)
class Money:
    """An immutable amount of one currency; arithmetic keeps full precision."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError(f"Money amount must be Decimal, not {type(self.amount).__name__}")
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise ValueError(f"currency must be a 3-letter ISO code, not {self.currency!r}")

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot mix {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, Decimal | int):
            raise TypeError(f"Money can only be multiplied by Decimal or int, not {factor!r}")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def rounded(self, mode: RoundingMode = "half_up", places: int | None = None) -> Money:
        """This amount rounded to the currency's minor unit (or ``places``)."""
        digits = minor_unit(self.currency) if places is None else places
        return Money(quantize(self.amount, digits, mode), self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
