"""What happens to a run's results: approval steps, statement acknowledgements, adjustments,
disputes and their comments, calc schedules and the accounting policy of the exports."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q, UniqueConstraint
from simple_history.models import HistoricalRecords

from openspm.core.fields import AmountField, CurrencyField
from openspm.core.models import TimeStampedModel

APPROVAL_STEPS: tuple[tuple[str, str], ...] = (
    ("comp_admin", "Comp admin review"),
    ("finance", "Finance approval"),
)


class RunApproval(TimeStampedModel):
    """One step of a run's approval (see APPROVAL_STEPS), by whom and when."""

    class Decision(models.TextChoices):
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    run = models.ForeignKey("comp.CalcRun", on_delete=models.CASCADE, related_name="approvals")
    step = models.PositiveSmallIntegerField(help_text="Index into APPROVAL_STEPS")
    role = models.CharField(max_length=32)
    decision = models.CharField(max_length=16, choices=Decision.choices)
    actor = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)
    decided_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["run", "step"]
        constraints: ClassVar = [
            UniqueConstraint(fields=["run", "step"], name="run_approval_one_per_step")
        ]

    def __str__(self) -> str:
        return f"Run {self.run_id} step {self.step}: {self.decision}"


class StatementAcknowledgement(TimeStampedModel):
    """A payee's acknowledgement of their statement for a published run."""

    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey("comp.CalcRun", on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            UniqueConstraint(fields=["person", "run"], name="statement_acknowledged_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} acknowledged run {self.run_id}"


class Adjustment(TimeStampedModel):
    """A manual, audited amount paid (or recovered) in `period`, outside the plan's math.

    Referral rewards are posted here too (`source` referral, see
    `comp.services.referral_ledger`): computed by the engine from a referral plan, each with
    its unique `reference` and its `trace` (referral, deal, rule).

    Adjustments are inputs of their own, never edits of run results, so they survive every
    recalculation. A retro adjustment posts the difference a recalculation of a closed period
    (`origin_period`) found, into the open `period`.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    class Source(models.TextChoices):
        MANUAL = "manual", "Manual"
        DISPUTE = "dispute", "Dispute resolution"
        RETRO = "retro", "Prior-period recalculation"
        REFERRAL = "referral", "Referral reward"

    class Reason(models.TextChoices):
        MISSING_CREDIT = "missing_credit", "Missing credit"
        WRONG_RATE = "wrong_rate", "Wrong rate"
        WRONG_PAYMENT = "wrong_payment", "Wrong payment"
        MANUAL_BONUS = "manual_bonus", "Discretionary bonus"
        RECOVERY = "recovery", "Recovery of an overpayment"
        PRIOR_PERIOD = "prior_period", "Prior-period recalculation"
        REFERRAL_REWARD = "referral_reward", "Referral reward"
        OTHER = "other", "Other"

    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey("org.Period", on_delete=models.PROTECT, related_name="+")
    amount = AmountField()
    currency = CurrencyField()
    reason_code = models.CharField(max_length=32, choices=Reason.choices)
    description = models.TextField()
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    origin_period = models.ForeignKey(
        "org.Period", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    run = models.ForeignKey(
        "comp.CalcRun",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The recalculation run a retro adjustment comes from",
    )
    plan_code = models.CharField(max_length=64, blank=True)
    component_id = models.CharField(max_length=64, blank=True)
    transaction_ref = models.CharField(
        max_length=64, blank=True, help_text="The deal a system-posted line comes from"
    )
    reference = models.CharField(
        max_length=100,
        blank=True,
        help_text="Unique key of a system-posted line (posting it again changes nothing)",
    )
    trace = models.JSONField(
        default=dict, blank=True, help_text="Where a system-posted line comes from"
    )
    created_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["-created_at"]
        constraints: ClassVar = [
            UniqueConstraint(
                fields=["reference"], condition=~Q(reference=""), name="adjustment_unique_reference"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.amount} {self.currency} ({self.reason_code})"


class Dispute(TimeStampedModel):
    """A payee's inquiry about a statement line, with that line's trace attached."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_REVIEW = "in_review", "In review"
        RESOLVED = "resolved", "Resolved"
        REJECTED = "rejected", "Rejected"

    class Category(models.TextChoices):
        MISSING_CREDIT = "missing_credit", "Missing credit"
        WRONG_RATE = "wrong_rate", "Wrong rate"
        WRONG_PAYMENT = "wrong_payment", "Wrong payment"
        OTHER = "other", "Other"

    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey("org.Period", on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey("comp.CalcRun", on_delete=models.PROTECT, related_name="+")
    earning_line = models.ForeignKey(
        "comp.EarningLine", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payout_line = models.ForeignKey(
        "comp.PayoutLine", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    trace = models.JSONField(default=dict, help_text="The disputed line's trace, as opened")
    category = models.CharField(max_length=32, choices=Category.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    assignee = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_by = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(help_text="When the SLA says it must be resolved")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)
    adjustment = models.ForeignKey(
        "comp.Adjustment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return f"Dispute {self.pk}: {self.subject}"


class DisputeComment(TimeStampedModel):
    """One message in a dispute's thread."""

    dispute = models.ForeignKey("comp.Dispute", on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey("core.User", on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    is_internal = models.BooleanField(default=False, help_text="Hidden from the payee")

    class Meta:
        ordering: ClassVar = ["created_at"]

    def __str__(self) -> str:
        return f"Comment on dispute {self.dispute_id}"


class CalcSchedule(TimeStampedModel):
    """Run the open period of `period_kind` automatically, every day at `hour` (UTC)."""

    name = models.CharField(max_length=100, unique=True)
    period_kind = models.CharField(max_length=8, default="quarter")
    hour = models.PositiveSmallIntegerField(default=2)
    is_active = models.BooleanField(default=True)
    last_run_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return self.name


class AccountingPolicy(TimeStampedModel):
    """How commission cost is booked (ASC 340-40 / IFRS 15): what is capitalised, over how
    long it is amortised, the payroll earning codes and the GL accounts of the journals. One
    row: the company's policy."""

    benefit_months = models.PositiveSmallIntegerField(default=36)
    practical_expedient = models.BooleanField(
        default=True, help_text="Expense at once when the benefit period is a year or less"
    )
    capitalized_component_kinds = models.JSONField(default=list)
    payroll_earning_code = models.CharField(max_length=32, default="COMM")
    adjustment_earning_code = models.CharField(max_length=32, default="COMMADJ")
    referral_earning_code = models.CharField(max_length=32, default="REFERRAL")
    # GL accounts of the accrual and capitalisation journals (code and name, as the GL shows).
    expense_account = models.CharField(max_length=100, default="6100 Commission expense")
    referral_expense_account = models.CharField(
        max_length=100,
        default="6150 Referral reward expense",
        help_text="Debited for referral rewards posted to the ledger",
    )
    payable_account = models.CharField(
        max_length=100,
        default="2110 Commissions payable",
        help_text="Payroll liability: released payouts and approved adjustments",
    )
    accrued_account = models.CharField(max_length=100, default="2100 Accrued commissions")
    asset_account = models.CharField(max_length=100, default="1450 Capitalised contract costs")
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "accounting policies"

    def __str__(self) -> str:
        return f"Amortise over {self.benefit_months} months"
