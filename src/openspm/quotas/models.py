"""Quotas: a performance goal per person, period and measure."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import CheckConstraint, Q, UniqueConstraint
from simple_history.models import HistoricalRecords

from openspm.core.fields import AmountField
from openspm.core.models import TimeStampedModel


class Quota(TimeStampedModel):
    """The goal for one payee, measure and period, in money (`currency`) or in units."""

    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="quotas")
    period = models.ForeignKey("org.Period", on_delete=models.PROTECT, related_name="quotas")
    measure = models.CharField(max_length=64, default="bookings")
    amount = AmountField()
    currency = models.ForeignKey(
        "sales.Currency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for a quota in units",
    )
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["period__start_on", "person", "measure"]
        constraints: ClassVar = [
            UniqueConstraint(fields=["person", "period", "measure"], name="quota_unique"),
            CheckConstraint(name="quota_not_negative", condition=Q(amount__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.period_id} {self.measure}: {self.amount}"
