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
    tier = models.CharField(
        max_length=64, blank=True, default="", help_text="The tier's label (its number unnamed)"
    )
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
        # Lines are written in order (`comp.summaries`): numbered tiers by number.
        ordering: ClassVar = ["plan_code", "component_id", "transaction_ref", "pk"]
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
