"""Referral programs, referrers and their codes, clicks, referrals, fraud signals, rewards,
the campaign outbox, processed CRM webhook events and the shared rate-limit counters."""

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


class Message(TimeStampedModel):
    """The campaign outbox: one email from a template, sent by a task, or skipped (opt-out)."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", "Invitation"
        REMINDER = "reminder", "Reminder"
        MILESTONE = "milestone", "Milestone"
        REWARD = "reward", "Reward"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped (opted out)"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    referrer = models.ForeignKey(
        "referrals.Referrer", on_delete=models.CASCADE, related_name="messages"
    )
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    to_email = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_email}"


class WebhookEvent(models.Model):
    """A verified CRM webhook event, stored as received and applied later by the worker.

    Its unique id makes redelivery and replay a no-op. `referral` is resolved when the event
    arrives; `crm_lead_id` / `crm_opportunity_id` are the ids the event names, so a later event
    naming only them finds its referral before this one is applied. The worker applies a
    referral's events in the order received, once: `applied` with `applied_at`, or `failed`
    with the `error` (a transition the referral's state does not allow)."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        APPLIED = "applied", "Applied"
        FAILED = "failed", "Failed"

    event_id = models.CharField(max_length=128, unique=True)
    event_type = models.CharField(max_length=64)
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(blank=True, help_text="The signed JSON body, as received.")
    crm_lead_id = models.CharField(max_length=64, blank=True, db_index=True)
    crm_opportunity_id = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    received_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar = ["-received_at"]
        indexes: ClassVar = [
            models.Index(fields=["referral", "status"], name="webhook_event_referral_status")
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                name="webhook_event_applied_at_iff_applied",
                condition=Q(status="applied", applied_at__isnull=False)
                | (~Q(status="applied") & Q(applied_at__isnull=True)),
            )
        ]

    def __str__(self) -> str:
        return self.event_id


class RateCounter(models.Model):
    """Requests per key per fixed window, in the database so every process shares it."""

    key = models.CharField(max_length=128)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["key", "window_start"], name="rate_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start}: {self.count}"


class HousekeepingRun(models.Model):
    """One day's referral housekeeping (UTC date). The date is unique: the scheduled task
    claims the day by inserting it, so a second run that day (a duplicate or a retried task)
    does nothing."""

    ran_on = models.DateField(unique=True)
    ran_at = models.DateTimeField()
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering: ClassVar = ["-ran_on"]

    def __str__(self) -> str:
        return f"Referral housekeeping of {self.ran_on}"
