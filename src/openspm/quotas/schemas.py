"""API input and output shapes for quotas. Amounts are decimal strings in JSON."""

from __future__ import annotations

from ninja import Schema

from openspm.sales.schemas import AmountIn, CurrencyCode, DecimalText


class QuotaOut(Schema):
    id: int
    person_id: int
    period: str
    measure: str
    amount: DecimalText
    currency: str | None

    @staticmethod
    def resolve_period(obj: object) -> str:
        return str(obj.period.key)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_currency(obj: object) -> str | None:
        return obj.currency_id  # type: ignore[attr-defined,no-any-return]


class QuotaIn(Schema):
    person_id: int
    period: str
    measure: str = "bookings"
    amount: AmountIn
    currency: CurrencyCode | None = None


class QuotaPatch(Schema):
    measure: str | None = None
    amount: AmountIn | None = None
    currency: CurrencyCode | None = None
