"""`{{ amount|money:"EUR" }}`: a Decimal shown with thousands separators, never through float."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from django import template

register = template.Library()


@register.filter(name="money")
def money(amount: Decimal | int | None, currency: str = "") -> str:
    if amount is None:
        return "—"
    if not isinstance(amount, Decimal | int):
        raise TypeError(f"money needs a Decimal, got {type(amount).__name__}")
    shown = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    text = f"{shown:,.2f}"
    return f"{text} {currency}".strip()


@register.filter(name="plain")
def plain(value: Decimal | int | None) -> str:
    """A Decimal without trailing zeros or exponent: 50.0000 → 50, 1.0850000000 → 1.085."""
    if value is None:
        return "—"
    if not isinstance(value, Decimal | int):
        raise TypeError(f"plain needs a Decimal, got {type(value).__name__}")
    text = format(Decimal(value).normalize(), "f")
    return text


@register.filter(name="percent")
def percent(ratio: Decimal | None) -> str:
    """A ratio as a percentage with one decimal: 1.25 → 125.0 %."""
    if ratio is None:
        return "—"
    if not isinstance(ratio, Decimal):
        raise TypeError(f"percent needs a Decimal, got {type(ratio).__name__}")
    shown = (ratio * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)
    return f"{shown:,} %"


@register.filter(name="bar_width")
def bar_width(ratio: Decimal | None) -> str:
    """A ratio as a CSS width percentage, clamped to 0–100: 0.4567 → 45.7."""
    if ratio is None:
        return "0"
    if not isinstance(ratio, Decimal):
        raise TypeError(f"bar_width needs a Decimal, got {type(ratio).__name__}")
    shown = max(Decimal(0), min(Decimal(100), ratio * 100))
    return str(shown.quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN))
