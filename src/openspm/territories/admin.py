from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from openspm.territories.models import NamedAccount, Territory, TerritoryMember, TerritoryRule


class RuleInline(admin.TabularInline):  # type: ignore[type-arg]
    model = TerritoryRule
    extra = 0


class MemberInline(admin.TabularInline):  # type: ignore[type-arg]
    model = TerritoryMember
    raw_id_fields = ("person",)
    extra = 0


class NamedAccountInline(admin.TabularInline):  # type: ignore[type-arg]
    model = NamedAccount
    raw_id_fields = ("account",)
    extra = 0


@admin.register(Territory)
class TerritoryAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "region", "priority", "parent")
    list_filter = ("region",)
    search_fields = ("code", "name")
    inlines = (RuleInline, MemberInline, NamedAccountInline)
