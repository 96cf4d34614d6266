"""Accounts, products, transactions with their credit splits, currencies and FX rates."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.db import models
from django.db.models import CheckConstraint, Q, UniqueConstraint
from simple_history.models import HistoricalRecords

from openspm.core.fields import AmountField, CurrencyField, RateField
from openspm.core.models import TimeStampedModel


class Currency(TimeStampedModel):
    """An ISO 4217 currency the company books or pays in."""

    code = CurrencyField(primary_key=True)
    name = models.CharField(max_length=100)
    minor_units = models.PositiveSmallIntegerField(default=2)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["code"]
        verbose_name_plural = "currencies"

    def __str__(self) -> str:
        return self.code


class FxRate(TimeStampedModel):
    """One unit of `currency` is worth `rate` units of `quote_currency` from `rate_on` on."""

    currency = models.ForeignKey("sales.Currency", on_delete=models.PROTECT, related_name="+")
    quote_currency = models.ForeignKey("sales.Currency", on_delete=models.PROTECT, related_name="+")
    rate_on = models.DateField()
    rate = RateField()
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["currency", "quote_currency", "-rate_on"]
        constraints: ClassVar = [
            UniqueConstraint(
                fields=["currency", "quote_currency", "rate_on"], name="fx_rate_unique_day"
            ),
            CheckConstraint(name="fx_rate_positive", condition=Q(rate__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.currency_id}/{self.quote_currency_id} {self.rate} on {self.rate_on}"


class Account(TimeStampedModel):
    """A customer account, with the attributes territories are drawn on."""

    class EmployeeBand(models.TextChoices):
        SMB = "smb", "1–99"
        MID = "mid", "100–999"
        ENTERPRISE = "enterprise", "1,000–9,999"
        STRATEGIC = "strategic", "10,000+"

    external_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    industry = models.CharField(max_length=100, blank=True)
    employee_band = models.CharField(max_length=16, choices=EmployeeBand.choices, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    owner = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="accounts"
    )
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class ProductFamily(TimeStampedModel):
    """A group of products that plans credit and rate together."""

    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["name"]
        verbose_name_plural = "product families"

    def __str__(self) -> str:
        return self.name


class Product(TimeStampedModel):
    """A sellable product, in one family."""

    sku = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    family = models.ForeignKey(
        "sales.ProductFamily", on_delete=models.PROTECT, related_name="products"
    )
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class Transaction(TimeStampedModel):
    """A deal or order line: the source fact credit is taken from."""

    class Type(models.TextChoices):
        NEW = "new", "New"
        RENEWAL = "renewal", "Renewal"
        UPSELL = "upsell", "Upsell"

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        INVOICED = "invoiced", "Invoiced"
        PAID = "paid", "Paid"
        CANCELLED = "cancelled", "Cancelled"
        REFUNDED = "refunded", "Refunded"

    external_id = models.CharField(max_length=64, unique=True)
    account = models.ForeignKey(
        "sales.Account",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transactions",
    )
    product = models.ForeignKey(
        "sales.Product",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transactions",
    )
    owner = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, related_name="owned_transactions"
    )
    booked_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    invoiced_on = models.DateField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    cancelled_on = models.DateField(
        null=True, blank=True, help_text="When it was cancelled or refunded (clawbacks)"
    )
    amount = AmountField()
    collected_amount = AmountField(
        null=True, blank=True, help_text="Cash collected so far (holds released on collection)"
    )
    currency = models.ForeignKey("sales.Currency", on_delete=models.PROTECT, related_name="+")
    cost_amount = AmountField(null=True, blank=True)
    quantity = models.DecimalField(max_digits=15, decimal_places=4, default=1)
    type = models.CharField(max_length=16, choices=Type.choices, default=Type.NEW)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.BOOKED)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["-booked_on", "external_id"]
        indexes: ClassVar = [
            models.Index(fields=["booked_on"]),
            models.Index(fields=["owner", "booked_on"]),
        ]

    def __str__(self) -> str:
        return self.external_id

    @property
    def margin_amount(self) -> Decimal | None:
        return None if self.cost_amount is None else self.amount - self.cost_amount


class CreditSplit(TimeStampedModel):
    """A payee's share of a transaction's credit. A transaction's splits sum to exactly 100 %.

    With no splits, the owner takes 100 % of the credit.
    """

    transaction = models.ForeignKey(
        "sales.Transaction", on_delete=models.CASCADE, related_name="splits"
    )
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="splits")
    split_percent = models.DecimalField(max_digits=7, decimal_places=4)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["transaction", "person"]
        constraints: ClassVar = [
            UniqueConstraint(fields=["transaction", "person"], name="credit_split_unique"),
            CheckConstraint(
                name="credit_split_percent_range",
                condition=Q(split_percent__gt=0) & Q(split_percent__lte=100),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.transaction_id}: {self.person_id} {self.split_percent}%"
