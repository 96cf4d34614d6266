from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from openspm.org.models import FiscalCalendar, Period, Person, ReportingLine, Team, TeamMembership


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = (
        "external_id",
        "first_name",
        "last_name",
        "title",
        "currency",
        "hired_on",
        "terminated_on",
    )
    search_fields = ("external_id", "first_name", "last_name", "email")
    list_filter = ("title", "currency")
    raw_id_fields = ("user",)


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = TeamMembership
    raw_id_fields = ("person",)
    extra = 0


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "leader")
    search_fields = ("code", "name")
    raw_id_fields = ("leader",)
    inlines = (MembershipInline,)


@admin.register(ReportingLine)
class ReportingLineAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = ("person", "manager", "effective_from", "effective_to")
    raw_id_fields = ("person", "manager")
    search_fields = ("person__last_name", "manager__last_name", "person__external_id")
    date_hierarchy = "effective_from"


@admin.register(FiscalCalendar)
class FiscalCalendarAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = ("name", "start_month")


@admin.register(Period)
class PeriodAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = ("key", "kind", "start_on", "end_on", "status")
    list_filter = ("kind", "status", "fiscal_year")
