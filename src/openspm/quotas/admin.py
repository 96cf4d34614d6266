from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from openspm.quotas.models import Quota


@admin.register(Quota)
class QuotaAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = ("person", "period", "measure", "amount", "currency")
    list_filter = ("measure", "period__kind", "period__fiscal_year")
    raw_id_fields = ("person",)
    search_fields = ("person__external_id", "person__last_name")
