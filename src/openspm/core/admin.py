from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from openspm.core.models import ApiToken, User


@admin.register(User)
class OpenSPMUserAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "email", "first_name", "last_name", "is_active", "is_staff")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "user", "prefix", "scopes", "expires_at", "revoked_at", "last_used_at")
    readonly_fields = ("prefix", "key_hash", "last_used_at")
    exclude = ()
