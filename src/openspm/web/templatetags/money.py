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
