from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from openspm.sales.models import (
    Account,
    CreditSplit,
    Currency,
    FxRate,
    Product,
    ProductFamily,
    Transaction,
)


@admin.register(Currency)
class CurrencyAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "minor_units")


@admin.register(FxRate)
class FxRateAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = ("currency", "quote_currency", "rate_on", "rate")
    list_filter = ("currency", "quote_currency")
    date_hierarchy = "rate_on"


@admin.register(Account)
class AccountAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = (
        "external_id",
        "name",
        "industry",
        "employee_band",
        "country",
        "region",
        "owner",
    )
    search_fields = ("external_id", "name")
    list_filter = ("industry", "employee_band", "country", "region")
    raw_id_fields = ("owner",)


@admin.register(ProductFamily)
class ProductFamilyAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name")


@admin.register(Product)
class ProductAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = ("sku", "name", "family")
    list_filter = ("family",)


class CreditSplitInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CreditSplit
    raw_id_fields = ("person",)
    extra = 0


@admin.register(Transaction)
class TransactionAdmin(SimpleHistoryAdmin):  # type: ignore[type-arg]
    list_display = ("external_id", "booked_on", "owner", "amount", "currency", "type", "status")
    list_filter = ("type", "status", "currency")
    search_fields = ("external_id", "account__name")
    raw_id_fields = ("owner", "account", "product")
    date_hierarchy = "booked_on"
    inlines = (CreditSplitInline,)
