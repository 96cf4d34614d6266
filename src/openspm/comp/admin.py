from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from openspm.comp.models import (
    AccountingPolicy,
    Adjustment,
    CalcRun,
    CalcSchedule,
    CreditLine,
    Dispute,
    DisputeComment,
    EarningLine,
    MeasureLine,
    PayoutLine,
    RunApproval,
    StatementAcknowledgement,
)


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
    """Credit lines of runs written before credits stayed in the run's archive only."""

    list_display = ("run", "person", "transaction_ref", "credit_reason", "amount", "currency")
    list_filter = ("credit_reason",)


@admin.register(MeasureLine)
class MeasureLineAdmin(ReadOnlyAdmin):
    list_display = ("run", "person", "measure_id", "period_value", "quota_amount", "attainment")


@admin.register(EarningLine)
class EarningLineAdmin(ReadOnlyAdmin):
    list_display = ("run", "person", "component_id", "tier", "rate", "line_count", "amount")


@admin.register(PayoutLine)
class PayoutLineAdmin(ReadOnlyAdmin):
    list_display = ("run", "person", "component_id", "line_type", "amount", "currency")


@admin.register(RunApproval)
class RunApprovalAdmin(ReadOnlyAdmin):
    list_display = ("run", "step", "role", "decision", "actor", "decided_at")


@admin.register(StatementAcknowledgement)
class StatementAcknowledgementAdmin(ReadOnlyAdmin):
    list_display = ("person", "run", "acknowledged_at")


@admin.register(Adjustment)
class AdjustmentAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    """Adjustments are created and approved on the adjustments pages (four eyes); read here."""

    list_display = ("person", "period", "amount", "currency", "reason_code", "source", "status")
    list_filter = ("status", "source", "reason_code")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class DisputeCommentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = DisputeComment
    extra = 0


@admin.register(Dispute)
class DisputeAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = ("pk", "person", "subject", "status", "assignee", "due_at")
    list_filter = ("status", "category")
    inlines = (DisputeCommentInline,)


@admin.register(CalcSchedule)
class CalcScheduleAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = ("name", "period_kind", "hour", "is_active", "last_run_on")


@admin.register(AccountingPolicy)
class AccountingPolicyAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = ("benefit_months", "practical_expedient", "payroll_earning_code")
