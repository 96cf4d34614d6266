"""The campaign outbox, processed CRM webhook events, the shared rate-limit counters and
housekeeping runs."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q

from openspm.core.models import TimeStampedModel


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
