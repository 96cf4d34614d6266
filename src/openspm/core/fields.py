"""Money and rate columns, sized so SQLite keeps every digit (15 significant digits)."""

from __future__ import annotations

from typing import Any

from django.db import models


class AmountField(models.DecimalField):  # type: ignore[type-arg]
    """A money amount: up to 99,999,999,999.9999, stored exactly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 15)
        kwargs.setdefault("decimal_places", 4)
        super().__init__(*args, **kwargs)


class RateField(models.DecimalField):  # type: ignore[type-arg]
    """A rate or ratio with ten decimal places (FX rates, split percentages as fractions)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 15)
        kwargs.setdefault("decimal_places", 10)
        super().__init__(*args, **kwargs)


class CurrencyField(models.CharField):  # type: ignore[type-arg]
    """An ISO 4217 currency code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 3)
        super().__init__(*args, **kwargs)
