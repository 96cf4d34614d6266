"""API input and output shapes for sales data, and the money types every app's schemas use.

Money, rates and percentages are `Decimal` end to end. In JSON they go out as decimal strings
with the column's full scale (`"1234.5000"`), never as numbers; on the way in, the API's
parser reads a JSON number from its literal text (`0.1` is `Decimal("0.1")`), so no float ever
exists, and a string (`"0.1"`) is accepted too.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, PlainSerializer

from openspm.sales.models import Account, Transaction


def _decimal_text(value: Decimal) -> str:
    # format(…, "f") never switches to exponent notation: Decimal("0E-10") → "0.0000000000".
    return format(value, "f")


# Output: a decimal string.
DecimalText = Annotated[Decimal, PlainSerializer(_decimal_text, return_type=str)]
# Input: what fits the column (core.fields.AmountField / RateField, CreditSplit.split_percent).
AmountIn = Annotated[Decimal, Field(max_digits=15, decimal_places=4)]
RateIn = Annotated[Decimal, Field(max_digits=15, decimal_places=10, gt=0)]
QuantityIn = Annotated[Decimal, Field(max_digits=15, decimal_places=4)]
PercentIn = Annotated[Decimal, Field(max_digits=7, decimal_places=4, gt=0, le=100)]
CurrencyCode = Annotated[str, Field(min_length=3, max_length=3, pattern=r"^[A-Z]{3}$")]


# Currencies ---------------------------------------------------------------------------------


class CurrencyOut(Schema):
    code: str
    name: str
    minor_units: int


class CurrencyIn(Schema):
    code: CurrencyCode
    name: str
    minor_units: int = 2


class CurrencyPatch(Schema):
    name: str | None = None
    minor_units: int | None = None


# FX rates -----------------------------------------------------------------------------------


class FxRateOut(Schema):
    id: int
    currency: str
    quote_currency: str
    rate_on: date
    rate: DecimalText

    @staticmethod
    def resolve_currency(obj: object) -> str:
        return str(obj.currency_id)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_quote_currency(obj: object) -> str:
        return str(obj.quote_currency_id)  # type: ignore[attr-defined]


class FxRateIn(Schema):
    currency: CurrencyCode
    quote_currency: CurrencyCode
    rate_on: date
    rate: RateIn


class FxRatePatch(Schema):
    rate_on: date | None = None
    rate: RateIn | None = None


# Accounts -----------------------------------------------------------------------------------


class AccountOut(Schema):
    id: int
    external_id: str
    name: str
    industry: str
    employee_band: str
    country: str
    region: str
    postal_code: str
    owner_id: int | None


class AccountIn(Schema):
    external_id: str
    name: str
    industry: str = ""
    employee_band: Account.EmployeeBand | Literal[""] = ""
    country: str = ""
    region: str = ""
    postal_code: str = ""
    owner_id: int | None = None


class AccountPatch(Schema):
    external_id: str | None = None
    name: str | None = None
    industry: str | None = None
    employee_band: Account.EmployeeBand | Literal[""] | None = None
    country: str | None = None
    region: str | None = None
    postal_code: str | None = None
    owner_id: int | None = None


# Products -----------------------------------------------------------------------------------


class ProductFamilyOut(Schema):
    id: int
    code: str
    name: str


class ProductFamilyIn(Schema):
    code: str
    name: str


class ProductFamilyPatch(Schema):
    code: str | None = None
    name: str | None = None


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    family_id: int


class ProductIn(Schema):
    sku: str
    name: str
    family_id: int


class ProductPatch(Schema):
    sku: str | None = None
    name: str | None = None
    family_id: int | None = None


# Transactions -------------------------------------------------------------------------------


class SplitOut(Schema):
    person_id: int
    split_percent: DecimalText


class SplitIn(Schema):
    person_id: int
    split_percent: PercentIn


class TransactionOut(Schema):
    id: int
    external_id: str
    account_id: int | None
    product_id: int | None
    owner_id: int
    booked_on: date
    closed_on: date | None
    invoiced_on: date | None
    paid_on: date | None
    amount: DecimalText
    currency: str
    cost_amount: DecimalText | None
    margin_amount: DecimalText | None
    quantity: DecimalText
    type: str
    status: str
    splits: list[SplitOut] = Field(
        description="Credit splits; empty means the owner takes 100 % of the credit."
    )

    @staticmethod
    def resolve_currency(obj: object) -> str:
        return str(obj.currency_id)  # type: ignore[attr-defined]

    @staticmethod
    def resolve_splits(obj: object) -> list[object]:
        return list(obj.splits.all())  # type: ignore[attr-defined]


class TransactionIn(Schema):
    external_id: str
    account_id: int | None = None
    product_id: int | None = None
    owner_id: int
    booked_on: date
    closed_on: date | None = None
    invoiced_on: date | None = None
    paid_on: date | None = None
    amount: AmountIn
    currency: CurrencyCode
    cost_amount: AmountIn | None = None
    quantity: QuantityIn = Decimal(1)
    type: Transaction.Type = Transaction.Type.NEW
    status: Transaction.Status = Transaction.Status.BOOKED
    splits: list[SplitIn] = Field(
        default_factory=list,
        description="Credit splits summing to exactly 100; empty: the owner takes 100 %.",
    )


class TransactionPatch(Schema):
    external_id: str | None = None
    account_id: int | None = None
    product_id: int | None = None
    owner_id: int | None = None
    booked_on: date | None = None
    closed_on: date | None = None
    invoiced_on: date | None = None
    paid_on: date | None = None
    amount: AmountIn | None = None
    currency: CurrencyCode | None = None
    cost_amount: AmountIn | None = None
    quantity: QuantityIn | None = None
    type: Transaction.Type | None = None
    status: Transaction.Status | None = None
    splits: list[SplitIn] | None = Field(
        default=None, description="When given, replaces every split ([] clears them)."
    )
