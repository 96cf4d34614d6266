"""Calculation runs and their immutable result lines (credits, measures, earnings, payouts).

A run's lines are written in one transaction when the run succeeds, so a run that fails (or
whose worker is killed) leaves none; its credits stay in its archive (see `CreditLine`).
Amounts here are a 4-decimal display copy; the run's archive (Parquet, see `comp.archive`)
keeps the engine's full precision, and payouts are already rounded by the plan.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q, UniqueConstraint
from simple_history.models import HistoricalRecords

from openspm.core.fields import AmountField, CurrencyField, RateField
from openspm.core.models import TimeStampedModel

ACTIVE_STATUSES = ("queued", "running")


class CalcRun(TimeStampedModel):
    """One execution of the engine over a snapshot of inputs, for one period.

    At most one run per period is queued or running at a time (a database constraint, so two
    workers cannot both start one). A succeeded run is then approved step by step; the last
    approved run of a period is its published run, from which statements are rendered.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    class Approval(models.TextChoices):
        NONE = "none", "Not submitted"
        PENDING = "pending", "Awaiting approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        SUPERSEDED = "superseded", "Superseded"

    period = models.ForeignKey("org.Period", on_delete=models.PROTECT, related_name="runs")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    approval = models.CharField(max_length=16, choices=Approval.choices, default=Approval.NONE)
    requested_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    trigger = models.CharField(max_length=16, default="ui", help_text="ui, api, cli or schedule")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=100, blank=True, help_text="host:pid of the worker")
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done")
    progress_note = models.CharField(max_length=200, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    engine_version = models.CharField(max_length=32, blank=True)
    plan_versions = models.JSONField(default=list, help_text="[{code, version, fingerprint}]")
    input_counts = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]
        constraints: ClassVar = [
            UniqueConstraint(
                fields=["period"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="calc_run_one_active_per_period",
            ),
            UniqueConstraint(
                fields=["period"],
                condition=Q(approval="approved"),
                name="calc_run_one_published_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"Run {self.pk} of {self.period_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class RunLine(models.Model):
    """Columns every result line shares: its run, payee and plan version (the trace's root).

    The run and payee keys have no database constraint (`db_constraint=False`): the writer
    (`comp.services.results.write_lines`) inserts a run's lines in the run's own transaction,
    with payee keys read from `Person` in that transaction, and fails the run on an unknown
    payee; checking millions of keys again at commit was most of PostgreSQL's write time
    (`docs/performance.md`, "App runs"). Django still cascades a run's deletion to its lines
    and protects a payee who has lines.
    """

    run = models.ForeignKey(
        "comp.CalcRun",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,  # each line model's (run, person) index serves lookups by run
    )
    person = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    plan_code = models.CharField(max_length=64)
    plan_version = models.PositiveIntegerField()
    period_key = models.CharField(max_length=16)

    class Meta:
        abstract = True


class CreditLine(RunLine):
    """Who was credited how much of which transaction, and why (`credit_reason`, `rule_id`).

    New runs keep their credits in their archive only (half of all result lines); a
    statement line's drill-down builds unsaved `CreditLine`s from the archive's rows
    (`comp.selectors.trace`). Rows here belong to runs written before that.
    """

    credit_id = models.CharField(max_length=200)
    transaction_ref = models.CharField(max_length=64, help_text="Transaction external id")
    credit_reason = models.CharField(max_length=16)
    rule_id = models.CharField(max_length=64, blank=True)
    source_person = models.ForeignKey(
        "org.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    credit_percent = RateField()
    credited_on = models.DateField()
    source_amount = AmountField()
    source_currency = CurrencyField()
    fx_rate = RateField(null=True)
    amount = AmountField()
    currency = CurrencyField()

    class Meta:
        ordering: ClassVar = ["credited_on", "transaction_ref", "credit_id"]
        indexes: ClassVar = [models.Index(fields=["run", "person"])]


class MeasureLine(RunLine):
    """A measure's value for a payee and period, to date, with quota and attainment."""

    measure_id = models.CharField(max_length=64)
    accumulate = models.CharField(max_length=24)
    period_value = AmountField()
    to_date_value = AmountField()
    quota_amount = AmountField(null=True)
    attainment = RateField(null=True)

    class Meta:
        ordering: ClassVar = ["plan_code", "measure_id"]
        indexes: ClassVar = [models.Index(fields=["run", "person"])]


class EarningLine(RunLine):
    """What a component earned: per period (bonus, MBO, cap), or the sum of a payee's deal
    lines that share a component, line type, credit reason, tier, rate and multiplier
    (`line_count` of them, `comp.summaries`).

    The deal lines themselves (one per credited tier slice of every deal) are kept in the
    run's archive only, as credits are; a line's drill-down reads them from there. A line
    with a `transaction_ref` is a deal line of a run written before summaries (2026-11-25).
    """

    component_id = models.CharField(max_length=64)
    component_kind = models.CharField(max_length=16)
    line_type = models.CharField(max_length=24)
    credit_id = models.CharField(max_length=200, blank=True)
    transaction_ref = models.CharField(max_length=64, blank=True)
    credit_reason = models.CharField(max_length=16, blank=True)
    measure_id = models.CharField(max_length=64, blank=True)
    measure_value = AmountField(null=True)
    basis_to_date = AmountField(null=True)
    quota_amount = AmountField(null=True)
    attainment = RateField(null=True)
    tier = models.IntegerField(null=True)
    rate = RateField(null=True)
    multiplier = RateField(null=True)
    objective_id = models.CharField(max_length=64, blank=True)
    to_date_amount = AmountField(null=True)
    prior_amount = AmountField(null=True)
    amount = AmountField()
    currency = CurrencyField()
    line_count = models.PositiveIntegerField(
        default=0, help_text="Deal lines this line sums (in the run's archive); 0: a period line"
    )

    class Meta:
        ordering: ClassVar = ["plan_code", "component_id", "transaction_ref", "tier", "pk"]
        indexes: ClassVar = [models.Index(fields=["run", "person"])]


class PayoutLine(RunLine):
    """What is released for payment: converted to the payee's currency and rounded."""

    component_id = models.CharField(max_length=64, blank=True)
    line_type = models.CharField(max_length=24)
    plan_amount = AmountField(null=True, help_text="Empty on rounding lines")
    plan_currency = CurrencyField()
    fx_rate = RateField(null=True)
    amount = AmountField()
    currency = CurrencyField()
    held_amount = AmountField(default=0)
    draw_balance_amount = AmountField(null=True)
    transaction_refs = models.TextField(blank=True, help_text="Space-separated external ids")
    line_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["plan_code", "component_id", "line_type"]
        indexes: ClassVar = [models.Index(fields=["run", "person"])]


# --- approvals, acknowledgements, adjustments, disputes, accounting ---------------------------

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
