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
    created_at = models.DateTimeField(default=timezone.now)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def stakeholder_email_list(self) -> list[str]:
        return [line.strip() for line in self.stakeholder_emails.splitlines() if line.strip()]
