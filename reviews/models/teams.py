"""Teams: who owns reviews, their members and their communication plan."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

if TYPE_CHECKING:
    from aar_project.typing import AnyUser


class TeamQuerySet(models.QuerySet["Team"]):
    def visible_to(self, user: AnyUser) -> TeamQuerySet:
        if user.is_staff:
            return self
        return self.filter(Q(delivery_owner=user) | Q(members=user)).distinct()

    def active(self) -> TeamQuerySet:
        """Teams not archived: the ones new reviews can be recorded for."""
        return self.filter(archived_at__isnull=True)

    def review_required(self) -> Q:
        """The reviews these teams' checklists ask for (a team without one: all of its
        reviews): what "events waiting for a review" counts. One query."""
        listed: list[int] = []
        rules = Q(pk__in=[])
        for pk, kinds, severities in self.values_list("pk", "trigger_kinds", "trigger_severities"):
            if not kinds and not severities:
                continue
            listed.append(pk)
            rule = Q(team_id=pk)
            if kinds:
                rule &= Q(kind__in=kinds)
            if severities:
                rule &= Q(severity__in=severities)
            rules |= rule
        if not listed:
            return Q()
        return ~Q(team_id__in=listed) | rules

    def owned_by(self, user: AnyUser) -> TeamQuerySet:
        if user.is_staff:
            return self
        return self.filter(delivery_owner_id=user.pk)


class Team(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    delivery_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_teams",
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)
    stakeholder_emails = models.TextField(
        blank=True, help_text="The communication plan: one address per line."
    )
    review_triggers = models.TextField(
        blank=True, help_text="When this team holds a review (its triggers), in its own words."
    )
    # The checklist the dashboard counts "events waiting for a review" by: the kinds and
    # severities (or scopes) of event for which this team holds a review. Empty: every one.
    trigger_kinds = models.JSONField(default=list, blank=True)
    trigger_severities = models.JSONField(default=list, blank=True)
    # The team's default agenda, minutes per phase; empty: the organisation's.
    agenda_minutes = models.JSONField(default=dict, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name=""), name="%(app_label)s_%(class)s_name_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def stakeholder_email_list(self) -> list[str]:
        return [line.strip() for line in self.stakeholder_emails.splitlines() if line.strip()]


class FacilitatorRota(models.Model):
    """One person on a team's facilitator rota, in the team's order. Who facilitates next is
    whoever on it has waited longest since facilitating one of the team's reviews."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="rota")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rota_places"
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["team", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user"], name="%(app_label)s_%(class)s_once_per_team"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} #{self.position}"
