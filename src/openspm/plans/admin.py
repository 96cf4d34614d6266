from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from openspm.plans.models import Plan, PlanAcceptance, PlanAssignment, PlanVersion


class VersionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = PlanVersion
    fields = ("number", "status", "effective_from", "effective_to", "fingerprint")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name")
    search_fields = ("code", "name")
    inlines = (VersionInline,)


@admin.register(PlanVersion)
class PlanVersionAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    """Read-only here: versions change through the plan pages, which enforce the approval flow."""

    list_display = ("plan", "number", "status", "effective_from", "effective_to", "author")
    list_filter = ("status",)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(PlanAssignment)
class PlanAssignmentAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = ("plan", "person", "team", "title", "effective_from", "effective_to")
    raw_id_fields = ("person", "team")


@admin.register(PlanAcceptance)
class PlanAcceptanceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("version", "person", "accepted_at", "fingerprint")
    readonly_fields = ("version", "person", "accepted_at", "fingerprint")
