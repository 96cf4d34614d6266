"""Money and rate columns, sized so SQLite keeps every digit (15 significant digits)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models

# django-stubs types a field by what it accepts (set) and what reading it gives (get).
_ST = TypeVar("_ST", contravariant=True)
_GT = TypeVar("_GT", covariant=True)

if TYPE_CHECKING:
    _DecimalField = models.DecimalField
    _CharField = models.CharField
else:

    class _Typed:
        """`_Typed(cls)[set_type, get_type]` is `cls` itself: Django's fields are generic for
        the type checker (django-stubs) but not subscriptable at run time."""

        def __init__(self, cls):
            self._cls = cls

        def __getitem__(self, _params):
            return self._cls

    _DecimalField = _Typed(models.DecimalField)
    _CharField = _Typed(models.CharField)


class AmountField(_DecimalField[_ST, _GT]):
    """A money amount: up to 99,999,999,999.9999, stored exactly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 15)
        kwargs.setdefault("decimal_places", 4)
        super().__init__(*args, **kwargs)


class RateField(_DecimalField[_ST, _GT]):
    """A rate or ratio with ten decimal places (FX rates, split percentages as fractions)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 15)
        kwargs.setdefault("decimal_places", 10)
        super().__init__(*args, **kwargs)


class CurrencyField(_CharField[_ST, _GT]):
    """An ISO 4217 currency code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 3)
        super().__init__(*args, **kwargs)
