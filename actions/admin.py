from django.contrib import admin

from actions import models


class EventInline(admin.TabularInline[models.ActionEvent, models.ActionItem]):
    model = models.ActionEvent
    extra = 0
    readonly_fields = ["kind", "actor", "at", "field", "old_value", "new_value", "reason", "review"]
    can_delete = False


@admin.register(models.ActionItem)
class ActionItemAdmin(admin.ModelAdmin[models.ActionItem]):
    list_display = ["title", "owner", "due_on", "status", "review"]
    list_filter = ["status", "action_type", "size"]
    search_fields = ["title"]
    raw_id_fields = ["review", "owner", "created_by"]
    inlines = [EventInline]
