"""People (payees), teams, the effective-dated reporting hierarchy and the fiscal calendar."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from django.db import models
from django.db.models import CheckConstraint, F, Q, UniqueConstraint
from simple_history.models import HistoricalRecords

from openspm.core.fields import CurrencyField
from openspm.core.models import TimeStampedModel


def _active_on(on: date, prefix: str = "") -> Q:
    """Rows whose [effective_from, effective_to) contains `on`."""
    return Q(**{f"{prefix}effective_from__lte": on}) & (
        Q(**{f"{prefix}effective_to__isnull": True}) | Q(**{f"{prefix}effective_to__gt": on})
    )


class PersonQuerySet(models.QuerySet["Person"]):
    def employed_on(self, on: date) -> PersonQuerySet:
        return self.filter(hired_on__lte=on).filter(
            Q(terminated_on__isnull=True) | Q(terminated_on__gt=on)
        )


class Person(TimeStampedModel):
    """A payee: someone who can be credited and paid. Not a login; `user` is optional."""

    external_id = models.CharField(max_length=64, unique=True, help_text="Employee id")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    title = models.CharField(max_length=100, blank=True)
    currency = CurrencyField(default="USD")
    hired_on = models.DateField()
    terminated_on = models.DateField(null=True, blank=True)
    user = models.OneToOneField(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    history = HistoricalRecords()

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["last_name", "first_name", "external_id"]
        constraints: ClassVar = [
            CheckConstraint(
                name="person_termination_after_hire",
                condition=Q(terminated_on__isnull=True) | Q(terminated_on__gt=F("hired_on")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return str(self)


class Team(TimeStampedModel):
    """A named group of people, such as a sales team or a pod."""

    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    leader = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="led_teams"
    )
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class TeamMembershipQuerySet(models.QuerySet["TeamMembership"]):
    def active_on(self, on: date) -> TeamMembershipQuerySet:
        return self.filter(_active_on(on))


class TeamMembership(TimeStampedModel):
    """A person's membership of a team over [effective_from, effective_to); null end = open."""

    team = models.ForeignKey("org.Team", on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="memberships")
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    objects = TeamMembershipQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["team", "effective_from"]
        constraints: ClassVar = [
            CheckConstraint(
                name="membership_dates_ordered",
                condition=Q(effective_to__isnull=True) | Q(effective_to__gt=F("effective_from")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.team} from {self.effective_from}"


class ReportingLineQuerySet(models.QuerySet["ReportingLine"]):
    def active_on(self, on: date) -> ReportingLineQuerySet:
        return self.filter(_active_on(on))


class ReportingLine(TimeStampedModel):
    """`person` reports to `manager` over [effective_from, effective_to); null end = open.

    A person has at most one manager on any date; the hierarchy on a date is the set of lines
    active on it, so a move in the middle of a period is two lines that meet at the move date.
    """

    person = models.ForeignKey(
        "org.Person", on_delete=models.CASCADE, related_name="reporting_lines"
    )
    manager = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="reports")
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    objects = ReportingLineQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["person", "effective_from"]
        constraints: ClassVar = [
            CheckConstraint(
                name="reporting_line_dates_ordered",
                condition=Q(effective_to__isnull=True) | Q(effective_to__gt=F("effective_from")),
            ),
            CheckConstraint(name="reporting_line_not_self", condition=~Q(person=F("manager"))),
            UniqueConstraint(
                fields=["person", "effective_from"], name="reporting_line_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.manager} from {self.effective_from}"


class FiscalCalendar(TimeStampedModel):
    """The company's fiscal calendar. FY N ends in calendar year N when it starts after January."""

    name = models.CharField(max_length=100, unique=True, default="Fiscal calendar")
    start_month = models.PositiveSmallIntegerField(
        default=1, help_text="Month (1–12) in which the fiscal year starts"
    )
    history = HistoricalRecords()

    class Meta:
        constraints: ClassVar = [
            CheckConstraint(
                name="fiscal_start_month_valid",
                condition=Q(start_month__gte=1, start_month__lte=12),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Period(TimeStampedModel):
    """A fiscal month, quarter or year over [start_on, end_on], open or closed."""

    class Kind(models.TextChoices):
        MONTH = "month", "Month"
        QUARTER = "quarter", "Quarter"
        YEAR = "year", "Year"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    calendar = models.ForeignKey(
        "org.FiscalCalendar", on_delete=models.CASCADE, related_name="periods"
    )
    key = models.CharField(max_length=16, unique=True, help_text="2026, 2026-Q1 or 2026-M01")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    fiscal_year = models.PositiveSmallIntegerField()
    number = models.PositiveSmallIntegerField(help_text="Quarter 1–4 or month 1–12 of the year")
    start_on = models.DateField()
    end_on = models.DateField(help_text="Last day, inclusive")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering: ClassVar = ["start_on", "-end_on"]
        constraints: ClassVar = [
            CheckConstraint(name="period_dates_ordered", condition=Q(end_on__gte=F("start_on"))),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED
