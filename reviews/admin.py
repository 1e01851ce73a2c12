from django.contrib import admin

from reviews import models


class ParticipantInline(admin.TabularInline[models.Participant, models.Review]):
    model = models.Participant
    extra = 0
    raw_id_fields = ["user"]


class AgendaInline(admin.TabularInline[models.AgendaPhase, models.Review]):
    model = models.AgendaPhase
    extra = 0


class PullRequestInline(admin.StackedInline[models.PullRequestContext, models.Review]):
    model = models.PullRequestContext
    extra = 0


@admin.register(models.Team)
class TeamAdmin(admin.ModelAdmin[models.Team]):
    list_display = ["name", "slug", "delivery_owner"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["members"]
    search_fields = ["name"]


@admin.register(models.Review)
class ReviewAdmin(admin.ModelAdmin[models.Review]):
    list_display = ["title", "team", "kind", "severity", "status", "scheduled_at"]
    list_filter = ["status", "kind", "team"]
    search_fields = ["title", "slug"]
    raw_id_fields = ["facilitator", "scribe", "created_by"]
    # Accounts are sealed: the admin never shows them (no inline, no Account admin).
    inlines = [ParticipantInline, AgendaInline, PullRequestInline]
    readonly_fields = ["version", "created_at", "updated_at"]


@admin.register(models.TimelineEntry)
class TimelineEntryAdmin(admin.ModelAdmin[models.TimelineEntry]):
    list_display = ["review", "occurred_at", "kind", "source", "disputed"]
    list_filter = ["kind", "source", "disputed"]
    raw_id_fields = ["review", "account", "created_by"]
