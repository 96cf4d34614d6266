"""Territories as rule sets over account attributes, named accounts, and their members."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import CheckConstraint, F, Q, UniqueConstraint
from simple_history.models import HistoricalRecords

from openspm.core.models import TimeStampedModel


class Territory(TimeStampedModel):
    """A named set of accounts, drawn by rules and named accounts, owned by its members.

    An account falls in a territory when it is named there, or when it matches the rules:
    rules on different fields must all match, rules on the same field match any of their
    values. Where several territories match, the highest `priority` wins; a tie leaves the
    account unassigned.
    """

    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    region = models.CharField(max_length=100, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    priority = models.IntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["code"]
        verbose_name_plural = "territories"

    def __str__(self) -> str:
        return self.name


class TerritoryRule(TimeStampedModel):
    """One condition of a territory: an account `field` equal to (or starting with) `value`."""

    class Field(models.TextChoices):
        COUNTRY = "country", "Country"
        REGION = "region", "Region"
        POSTAL_PREFIX = "postal_prefix", "Postal code prefix"
        INDUSTRY = "industry", "Industry"
        EMPLOYEE_BAND = "employee_band", "Size (employee band)"

    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, related_name="rules"
    )
    field = models.CharField(max_length=16, choices=Field.choices)
    value = models.CharField(max_length=100)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["territory", "field", "value"]
        constraints: ClassVar = [
            UniqueConstraint(fields=["territory", "field", "value"], name="territory_rule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.territory_id}: {self.field} = {self.value}"


class NamedAccount(TimeStampedModel):
    """An account placed in a territory by name; it overrides every rule."""

    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, related_name="named_accounts"
    )
    account = models.OneToOneField(
        "sales.Account", on_delete=models.CASCADE, related_name="named_in"
    )
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.account} in {self.territory}"


class TerritoryMember(TimeStampedModel):
    """A person working a territory over [effective_from, effective_to), as owner or overlay."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        OVERLAY = "overlay", "Overlay"

    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, related_name="members"
    )
    person = models.ForeignKey(
        "org.Person", on_delete=models.PROTECT, related_name="territory_memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.OWNER)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["territory", "role", "effective_from"]
        constraints: ClassVar = [
            CheckConstraint(
                name="territory_member_dates_ordered",
                condition=Q(effective_to__isnull=True) | Q(effective_to__gt=F("effective_from")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.role}) in {self.territory}"
