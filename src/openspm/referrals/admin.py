"""Back office for referral programs; computed rows are read-only."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from openspm.referrals import models
from openspm.referrals.services import programs


class TierInline(admin.TabularInline):  # type: ignore[type-arg]
    model = models.ProgramTier
    extra = 0


@admin.register(models.Program)
class ProgramAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = ("name", "slug", "kind", "reward_kind", "trigger", "is_active")
    list_filter = ("kind", "is_active")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (TierInline,)

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        programs.save_program(actor=request.user, program=obj)


@admin.register(models.Referrer)
class ReferrerAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = ("name", "email", "program", "code", "person", "is_opted_out")
    list_filter = ("program",)
    search_fields = ("name", "email", "code")
    readonly_fields = ("code",)
    actions = ("give_payee_record",)

    @admin.action(description="Give a payee record (rewards paid through payroll)")
    def give_payee_record(self, request, queryset):  # type: ignore[no-untyped-def]
        for referrer in queryset:
            programs.give_payee_record(actor=request.user, referrer_id=referrer.pk)

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if not obj.code:
            obj.code = programs.new_code()
        super().save_model(request, obj, form, change)


class SignalInline(admin.TabularInline):  # type: ignore[type-arg]
    model = models.FraudSignal
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "detail", "created_at")


@admin.register(models.Referral)
class ReferralAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = ("referee_name", "program", "referrer", "stage", "status", "submitted_at")
    list_filter = ("program", "stage", "status")
    search_fields = ("referee_name", "referee_email", "referee_company")
    inlines = (SignalInline,)
    readonly_fields = ("ip_hash", "payment_fingerprint", "click", "submitted_at")


@admin.register(models.Reward)
class RewardAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = ("referral", "side", "amount", "currency", "status", "release_on")
    list_filter = ("status", "side", "program")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(models.Message)
class MessageAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("kind", "to_email", "subject", "status", "created_at")
    list_filter = ("kind", "status")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(models.WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """CRM events as received, and whether the worker applied them or why they failed;
    read-only."""

    list_display = ("event_id", "event_type", "referral", "status", "received_at", "applied_at")
    list_filter = ("status", "event_type")
    search_fields = ("event_id", "crm_lead_id", "crm_opportunity_id", "error")
    readonly_fields = (
        "event_id",
        "event_type",
        "referral",
        "status",
        "received_at",
        "applied_at",
        "error",
        "crm_lead_id",
        "crm_opportunity_id",
        "body",
    )

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(models.Click)
class ClickAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Clicks on referral links (only hashes of the visitor and IP are kept); read-only."""

    list_display = ("referrer", "clicked_at")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(models.HousekeepingRun)
class HousekeepingRunAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """One row per day the scheduled housekeeping ran, with what it did; read-only."""

    list_display = ("ran_on", "ran_at")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
