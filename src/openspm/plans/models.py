"""Compensation plans: versioned YAML documents, their approval, assignment and acceptance."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import CheckConstraint, F, Q, UniqueConstraint
from simple_history.models import HistoricalRecords

from openspm.core.models import TimeStampedModel


class Plan(TimeStampedModel):
    """A compensation plan: the identity that its versions share. `code` is the document's id."""

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["code"]

    def __str__(self) -> str:
        return self.name


class PlanVersion(TimeStampedModel):
    """One version of a plan document.

    A draft is edited freely; it is submitted, then approved by someone other than its author,
    which publishes it. A published version is immutable: its text and fingerprint never change,
    so every run that used it can be reproduced. It applies over [effective_from, effective_to).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PENDING = "pending", "Pending approval"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Rejected"

    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField(help_text="The plan document (YAML)")
    fingerprint = models.CharField(max_length=64, help_text="sha256 of the text")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    author = models.ForeignKey("core.User", null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["plan", "-number"]
        constraints: ClassVar = [
            UniqueConstraint(fields=["plan", "number"], name="plan_version_unique_number"),
            CheckConstraint(
                name="plan_version_dates_ordered",
                condition=Q(effective_to__isnull=True) | Q(effective_to__gt=F("effective_from")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.code} v{self.number} ({self.status})"

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.REJECTED)


class PlanAssignment(TimeStampedModel):
    """A plan assigned over [effective_from, effective_to) to one person, a team or a job title.

    Team and title assignments follow membership: whoever is in the team (or holds the title)
    on a date is on the plan that date.
    """

    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        "org.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=100, blank=True, help_text="A job title, e.g. SDR")
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["plan", "effective_from"]
        constraints: ClassVar = [
            CheckConstraint(
                name="plan_assignment_one_target",
                condition=(
                    Q(person__isnull=False, team__isnull=True, title="")
                    | Q(person__isnull=True, team__isnull=False, title="")
                    | (Q(person__isnull=True, team__isnull=True) & ~Q(title=""))
                ),
            ),
            CheckConstraint(
                name="plan_assignment_dates_ordered",
                condition=Q(effective_to__isnull=True) | Q(effective_to__gt=F("effective_from")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.code} → {self.target_label}"

    @property
    def target_label(self) -> str:
        if self.person_id:
            return str(self.person)
        if self.team_id:
            return f"team {self.team}"
        return f"title {self.title}"


class PlanAcceptance(TimeStampedModel):
    """A payee's recorded agreement to one plan version (its fingerprint at the time)."""

    version = models.ForeignKey(
        "plans.PlanVersion", on_delete=models.PROTECT, related_name="acceptances"
    )
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    fingerprint = models.CharField(max_length=64)
    accepted_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["-accepted_at"]
        constraints: ClassVar = [
            UniqueConstraint(fields=["version", "person"], name="plan_acceptance_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} accepted {self.version}"
