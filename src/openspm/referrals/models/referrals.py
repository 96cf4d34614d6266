"""Referrals, the fraud signals raised on them, and the rewards they earn."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from openspm.core.fields import AmountField, CurrencyField
from openspm.core.models import TimeStampedModel


class Referral(TimeStampedModel):
    """A referred prospect, its review state and its place in the sales funnel."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        FLAGGED = "flagged", "Flagged for review"
        APPROVED = "approved", "Approved"
        REWARDED = "rewarded", "Rewarded"
        CANCELLED = "cancelled", "Cancelled"

    class Stage(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        LEAD = "lead", "Lead"
        QUALIFIED = "qualified", "Qualified"
        OPPORTUNITY = "opportunity", "Opportunity"
        WON = "won", "Closed-won"
        LOST = "lost", "Lost"

    program = models.ForeignKey(
        "referrals.Program", on_delete=models.PROTECT, related_name="referrals"
    )
    referrer = models.ForeignKey(
        "referrals.Referrer", on_delete=models.PROTECT, related_name="referrals"
    )
    click = models.ForeignKey(
        "referrals.Click", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    referee_name = models.CharField(max_length=200)
    referee_email = models.EmailField()
    referee_company = models.CharField(max_length=200, blank=True)
    referee_address = models.CharField(max_length=300, blank=True)
    referee_country = models.CharField(max_length=2, blank=True)
    referee_postal_code = models.CharField(max_length=20, blank=True)
    payment_fingerprint = models.CharField(max_length=64, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.SUBMITTED)
    account = models.ForeignKey(
        "sales.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deal = models.ForeignKey(
        "sales.Transaction", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(
        "org.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="routed_referrals",
        help_text="The territory owner the lead was routed to",
    )
    crm_lead_id = models.CharField(max_length=64, blank=True, db_index=True)
    crm_opportunity_id = models.CharField(max_length=64, blank=True, db_index=True)
    deal_amount = AmountField(null=True, blank=True)
    first_year_amount = AmountField(null=True, blank=True)
    submitted_at = models.DateTimeField()
    qualified_at = models.DateTimeField(null=True, blank=True)
    won_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["-submitted_at", "-pk"]
        indexes: ClassVar = [
            models.Index(fields=["program", "referee_email"]),
            models.Index(fields=["status"]),
        ]

    def __str__(self) -> str:
        return f"{self.referee_name} via {self.referrer.name}"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CANCELLED and self.stage not in (
            self.Stage.WON,
            self.Stage.LOST,
        )


class FraudSignal(models.Model):
    """Why a referral was flagged; the review queue shows these."""

    class Kind(models.TextChoices):
        SELF_REFERRAL = "self_referral", "Self-referral"
        DUPLICATE = "duplicate", "Duplicate referral"
        DISPOSABLE_EMAIL = "disposable_email", "Disposable email domain"
        REFERRER_VELOCITY = "referrer_velocity", "Referrer velocity"
        IP_VELOCITY = "ip_velocity", "IP velocity"
        EXISTING_CUSTOMER = "existing_customer", "Existing customer"
        INELIGIBLE = "ineligible", "Outside the program's eligibility"

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, related_name="signals"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    detail = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["referral", "kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.detail}"


class Reward(TimeStampedModel):
    """What one side of a referral earns: held until `release_on`, then approved and paid.

    The amount is computed by the engine from the program's referral plan (`rule`, the plan's
    and the run's fingerprints are its trace); an approved referrer reward with a payee is
    posted to the comp ledger (`ledger_line`).
    """

    class Side(models.TextChoices):
        REFERRER = "referrer", "Referrer"
        REFEREE = "referee", "Referee"

    class Status(models.TextChoices):
        HELD = "held", "Held"
        APPROVED = "approved", "Approved"
        PAID = "paid", "Paid"
        CANCELLED = "cancelled", "Cancelled"

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="rewards"
    )
    program = models.ForeignKey("referrals.Program", on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=16, choices=Side.choices)
    amount = AmountField()
    currency = CurrencyField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.HELD)
    release_on = models.DateField()
    payee = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rule = models.CharField(
        max_length=64, blank=True, help_text="The referral plan's component that computed it"
    )
    plan_code = models.CharField(max_length=64, blank=True)
    plan_fingerprint = models.CharField(max_length=64, blank=True)
    run_fingerprint = models.CharField(max_length=64, blank=True)
    ledger_line = models.ForeignKey(
        "comp.Adjustment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The comp ledger line it was posted as (referrer side, with a payee)",
    )
    approved_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["-release_on", "-pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["referral", "side"], name="reward_one_per_side"),
            models.CheckConstraint(name="reward_not_negative", condition=Q(amount__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()} reward {self.amount} {self.currency}"
