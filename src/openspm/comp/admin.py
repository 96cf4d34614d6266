from django.contrib import admin

from openspm.comp.models import CalcRun, CreditLine, EarningLine, MeasureLine, PayoutLine


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Computed rows: shown, never edited (changes go through runs and adjustments)."""

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(CalcRun)
class CalcRunAdmin(ReadOnlyAdmin):
    list_display = (
        "pk",
        "period",
        "status",
        "approval",
        "progress",
        "fingerprint",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "approval")


@admin.register(CreditLine)
class CreditLineAdmin(ReadOnlyAdmin):
    list_display = ("run", "person", "transaction_ref", "credit_reason", "amount", "currency")
    list_filter = ("credit_reason",)


@admin.register(MeasureLine)
class MeasureLineAdmin(ReadOnlyAdmin):
    list_display = ("run", "person", "measure_id", "period_value", "quota_amount", "attainment")


@admin.register(EarningLine)
class EarningLineAdmin(ReadOnlyAdmin):
    list_display = ("run", "person", "component_id", "transaction_ref", "tier", "rate", "amount")


@admin.register(PayoutLine)
class PayoutLineAdmin(ReadOnlyAdmin):
    list_display = ("run", "person", "component_id", "line_type", "amount", "currency")
