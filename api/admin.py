from django.contrib import admin

from api import models


@admin.register(models.ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[models.ApiToken]):
    """Tokens are made by their person (the settings page, create_api_token); here they can
    be looked at and revoked (set "revoked at"). The digest is never shown."""

    list_display = [
        "name",
        "user",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["scope"]
    search_fields = ["name", "user__email"]
    raw_id_fields = ["user"]
    fields = [
        "user",
        "name",
        "hint",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = ["user", "name", "hint", "scope", "created_at", "expires_at", "last_used_at"]

    def has_add_permission(self, request: object) -> bool:
        return False
