"""Referral programs, their reward tiers, referrers with their codes, and link clicks."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from openspm.core.fields import AmountField, CurrencyField, RateField
from openspm.core.models import TimeStampedModel


class Program(TimeStampedModel):
    """A referral program: who may refer, what a successful referral earns, and when.

    `eligibility` holds optional rules: `countries` (ISO codes a referee must be in) and
    `allow_existing_customers` (false by default: a referral of a customer is flagged).
    """

    class Kind(models.TextChoices):
        CUSTOMER = "customer", "Customer"
        PARTNER = "partner", "Partner"
        EMPLOYEE = "employee", "Employee"

    class RewardKind(models.TextChoices):
        FIXED = "fixed", "Fixed amount"
        PERCENT_FIRST_DEAL = "percent_first_deal", "Percent of the first deal"
        PERCENT_FIRST_YEAR = "percent_first_year", "Percent of first-year value"

    class Trigger(models.TextChoices):
        QUALIFIED = "qualified", "Lead qualified"
        WON = "won", "Deal closed-won"
        PAID = "paid", "Invoice paid"

    class Attribution(models.TextChoices):
        FIRST_TOUCH = "first_touch", "First touch"
        LAST_TOUCH = "last_touch", "Last touch"

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    eligibility = models.JSONField(default=dict, blank=True)
    reward_kind = models.CharField(max_length=24, choices=RewardKind.choices)
    reward_amount = AmountField(null=True, blank=True, help_text="Fixed reward to the referrer")
    reward_rate = RateField(null=True, blank=True, help_text="Fraction of the deal, 0.05 = 5 %")
    referee_reward_amount = AmountField(
        null=True, blank=True, help_text="Double-sided: a fixed reward to the referee"
    )
    currency = CurrencyField(default="USD")
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.WON)
    holding_days = models.PositiveIntegerField(default=30)
    expiry_days = models.PositiveIntegerField(
        default=180, help_text="A referral that has not reached the trigger by then is cancelled"
    )
    budget_amount = AmountField(null=True, blank=True, help_text="Cap on all rewards; empty = none")
    attribution_window_days = models.PositiveIntegerField(default=90)
    attribution_model = models.CharField(
        max_length=16, choices=Attribution.choices, default=Attribution.FIRST_TOUCH
    )
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.CheckConstraint(
                name="referral_program_reward_defined",
                condition=(Q(reward_kind="fixed") & Q(reward_amount__isnull=False))
                | (~Q(reward_kind="fixed") & Q(reward_rate__isnull=False)),
            ),
            models.CheckConstraint(
                name="referral_program_rate_fraction",
                condition=Q(reward_rate__isnull=True)
                | (Q(reward_rate__gte=0) & Q(reward_rate__lte=1)),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProgramTier(TimeStampedModel):
    """From the referrer's `min_successes`-th successful referral on, this amount or rate."""

    program = models.ForeignKey("referrals.Program", on_delete=models.CASCADE, related_name="tiers")
    min_successes = models.PositiveIntegerField()
    reward_amount = AmountField(null=True, blank=True)
    reward_rate = RateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["program", "min_successes"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["program", "min_successes"], name="referral_tier_unique"
            ),
            models.CheckConstraint(
                name="referral_tier_has_reward",
                condition=Q(reward_amount__isnull=False) | Q(reward_rate__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} from {self.min_successes}"


class Referrer(TimeStampedModel):
    """Someone who refers: a customer contact, a partner (a login) or an employee (a payee).

    The code is unguessable (`secrets.token_urlsafe`); the shareable link is /r/c/<code>.
    `payment_fingerprint` is a SHA-256 of normalised payout details, never the details.
    """

    program = models.ForeignKey(
        "referrals.Program", on_delete=models.PROTECT, related_name="referrers"
    )
    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    email = models.EmailField()
    address = models.CharField(max_length=300, blank=True)
    payment_fingerprint = models.CharField(max_length=64, blank=True)
    user = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="referrers"
    )
    person = models.ForeignKey(
        "org.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrers",
        help_text="The payee rewards are paid to (employees, and partners' payee records)",
    )
    is_opted_out = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["program", "email"], name="referrer_unique_email")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.program})"


class Click(models.Model):
    """A visit through a referral link. Only hashes of the visitor cookie and IP are stored."""

    referrer = models.ForeignKey(
        "referrals.Referrer", on_delete=models.CASCADE, related_name="clicks"
    )
    visitor_hash = models.CharField(max_length=64, db_index=True)
    ip_hash = models.CharField(max_length=64)
    clicked_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering: ClassVar = ["-clicked_at"]

    def __str__(self) -> str:
        return f"{self.referrer.code} at {self.clicked_at:%Y-%m-%d %H:%M}"
