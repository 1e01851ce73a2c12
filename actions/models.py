"""Owned, dated action items and the history of every change made to them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from aar_project.dates import day_start
from reviews.models import Review
from reviews.versions import written_in_bulk

if TYPE_CHECKING:
    from aar_project.typing import AnyUser


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    WONT_DO = "wont_do", "Won't do"


OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
CLOSED_STATUSES = (ActionStatus.DONE, ActionStatus.WONT_DO)


# --- What "open", "overdue", "closed on time" mean, as conditions -------------------------
# The queryset methods filter with these and the dashboard counts with them, so a figure and
# the list it links to always agree.

DUE_SOON_DAYS = 7


def is_open() -> Q:
    return Q(status__in=OPEN_STATUSES)


# The due-date parts below are for counting among open actions; the lists use the whole.


def past_due(today: dt.date) -> Q:
    return Q(due_on__lt=today)


def due_within(today: dt.date) -> Q:
    return Q(due_on__gte=today, due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS))


def late_range(today: dt.date, low: int, high: int | None) -> Q:
    q = Q(due_on__lte=today - dt.timedelta(days=max(low, 1)))
    if high is not None:
        q &= Q(due_on__gte=today - dt.timedelta(days=high))
    return q


def overdue(today: dt.date) -> Q:
    """Open and past due; due today is not overdue."""
    return is_open() & past_due(today)


def due_soon(today: dt.date) -> Q:
    """Open and due today or within the next seven days."""
    return is_open() & due_within(today)


def late_between(today: dt.date, low: int, high: int | None) -> Q:
    """Open and overdue by `low` to `high` days (inclusive; no `high`: at least `low`).

    Overdue by 1 day means it was due yesterday; a bucket starting at 0 starts at 1.
    """
    return is_open() & late_range(today, low, high)


def opened_in(start: dt.date, end: dt.date) -> Q:
    """Created on a day from `start` to `end`, both included."""
    return Q(created_at__gte=day_start(start), created_at__lt=day_start(end + dt.timedelta(days=1)))


def closed_in(start: dt.date, end: dt.date) -> Q:
    """Closed (done or won't do) on a day from `start` to `end`, both included."""
    return Q(
        status__in=CLOSED_STATUSES,
        closed_at__gte=day_start(start),
        closed_at__lt=day_start(end + dt.timedelta(days=1)),
    )


def done_in(start: dt.date, end: dt.date) -> Q:
    """Done (verified) on a day from `start` to `end`: what the closure rate counts."""
    return closed_in(start, end) & Q(status=ActionStatus.DONE)


def on_time() -> Q:
    """Closed no later than the day it was due; an action without a due date never is."""
    return Q(closed_at__date__lte=F("due_on"))


class ActionType(models.TextChoices):
    MONITORING = "monitoring", "Monitoring"
    PROCESS = "process", "Process"
    CODE = "code", "Code"
    CONFIGURATION = "configuration", "Configuration"
    DOCUMENTATION = "documentation", "Documentation"
    TESTING = "testing", "Testing"
    INFRASTRUCTURE = "infrastructure", "Infrastructure"
    TRAINING = "training", "Training"
    OTHER = "other", "Other"


class ActionSize(models.TextChoices):
    HOURS = "hours", "Hours"
    DAYS = "days", "Days"
    WEEKS = "weeks", "Weeks"


class ActionItemQuerySet(models.QuerySet["ActionItem"]):
    def open(self) -> ActionItemQuerySet:
        return self.filter(is_open())

    def closed(self) -> ActionItemQuerySet:
        return self.filter(status__in=CLOSED_STATUSES)

    def overdue(self, today: dt.date) -> ActionItemQuerySet:
        """Open and past due. Due today is not overdue."""
        return self.filter(overdue(today))

    def matching(self, filters: dict[str, Any], today: dt.date) -> ActionItemQuerySet:
        """The action lists' filters (`TeamActionFilter.usable()`); the dashboard's links use
        the same conditions it counts with. No status: open ones, unless a period is asked."""
        data = filters
        closed_range = data.get("closed_since") or data.get("closed_until")
        opened_range = data.get("opened_since") or data.get("opened_until")
        status = data.get("status") or ("all" if closed_range or opened_range else "")
        actions = self
        if status == "":
            actions = actions.filter(is_open())
        elif status != "all":
            actions = actions.filter(status=status)
        for key, column in (
            ("owner", "owner_id"),
            ("action_type", "action_type"),
            ("kind", "kind"),
            ("review", "review__slug"),
        ):
            if data.get(key):
                actions = actions.filter(**{column: data[key]})
        if data.get("overdue"):
            actions = actions.filter(overdue(today))
        if data.get("due_soon"):
            actions = actions.filter(due_soon(today))
        if data.get("late_min") is not None or data.get("late_max") is not None:
            actions = actions.filter(
                late_between(today, data.get("late_min") or 0, data.get("late_max"))
            )
        if opened_range:
            start = data.get("opened_since") or dt.date(1970, 1, 1)
            actions = actions.filter(opened_in(start, data.get("opened_until") or today))
        if closed_range:
            start = data.get("closed_since") or dt.date(1970, 1, 1)
            actions = actions.filter(closed_in(start, data.get("closed_until") or today))
        if data.get("on_time") == "yes":
            actions = actions.filter(on_time())
        elif data.get("on_time") == "no":
            actions = actions.exclude(on_time())
        return actions

    def owned_by(self, user: AnyUser) -> ActionItemQuerySet:
        return self.filter(owner_id=user.pk)

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[ActionItem]:
        """Fill in each action's team and kind from its review, as save() does."""
        objs = list(objs)
        missing = {obj.review_id for obj in objs if obj.team_id is None or not obj.kind}
        if missing:
            of_review = {
                pk: (team_id, kind)
                for pk, team_id, kind in Review.objects.filter(pk__in=missing).values_list(
                    "pk", "team_id", "kind"
                )
            }
            for obj in objs:
                if obj.review_id in of_review:
                    team_id, kind = of_review[obj.review_id]
                    obj.team_id = obj.team_id or team_id
                    obj.kind = obj.kind or kind
        made = super().bulk_create(objs, *args, **kwargs)
        written_in_bulk.send(sender=ActionItem, review_ids={obj.review_id for obj in objs})
        return made

    def visible_to(self, user: AnyUser) -> ActionItemQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(
            Q(owner=user)
            | Q(review__participants__user=user)
            | Q(team__delivery_owner=user)
            | Q(team__members=user)
        ).distinct()


class ActionItem(models.Model):
    review = models.ForeignKey(
        "reviews.Review", on_delete=models.PROTECT, related_name="action_items"
    )
    # The review's team, copied when the action is created (a review never changes team):
    # the dashboard filters and groups a hundred thousand actions by team without a join.
    team = models.ForeignKey(
        "reviews.Team", on_delete=models.PROTECT, related_name="action_items", editable=False
    )
    # The review's kind, copied too, and kept when the review's kind changes (actions.apps):
    # the dashboard's live counts of one kind come from the open-actions index alone.
    kind = models.CharField(max_length=20, blank=True, editable=False)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    definition_of_done = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_items",
    )
    due_on = models.DateField(null=True, blank=True)
    action_type = models.CharField(
        max_length=20, choices=ActionType.choices, default=ActionType.OTHER
    )
    size = models.CharField(max_length=10, choices=ActionSize.choices, blank=True)
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closing_note = models.TextField(blank=True)
    ticket_url = models.URLField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status__in=CLOSED_STATUSES) & Q(closed_at__isnull=False))
                | (Q(status__in=OPEN_STATUSES) & Q(closed_at__isnull=True)),
                name="%(app_label)s_%(class)s_closed_at_matches_status",
            ),
            models.CheckConstraint(
                condition=~Q(status=ActionStatus.DONE) | ~Q(closing_note=""),
                name="%(app_label)s_%(class)s_done_has_verification",
            ),
        ]
        indexes = [
            models.Index(
                fields=["owner", "due_on"],
                include=["kind"],
                condition=Q(status__in=OPEN_STATUSES),
                name="actions_open_owner_due",
            ),
            models.Index(
                fields=["due_on"],
                condition=Q(status__in=OPEN_STATUSES),
                name="%(app_label)s_%(class)s_open_due",
            ),
            models.Index(fields=["review", "status"], name="%(app_label)s_%(class)s_rev_status"),
            # The dashboard's three scans: open actions by due date, actions opened and
            # actions closed in a period, each for a set of teams. The closed one carries
            # what the closure figures read, so they come from the index alone.
            models.Index(
                fields=["team", "due_on"],
                include=[
                    "owner",
                    "kind",
                ],  # the owners with the most overdue, any kind: the index alone
                condition=Q(status__in=OPEN_STATUSES),
                name="actions_open_team_due",
            ),
            models.Index(fields=["team", "created_at"], name="actions_team_created"),
            models.Index(
                fields=["team", "closed_at", "status", "created_at", "due_on"],
                condition=Q(status__in=CLOSED_STATUSES),
                name="actions_closed_team_at",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.review_id is not None and (self.team_id is None or not self.kind):
            self.team_id = self.team_id or self.review.team_id
            self.kind = self.review.kind
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def days_overdue(self, today: dt.date) -> int:
        if not self.is_open or self.due_on is None or self.due_on >= today:
            return 0
        return (today - self.due_on).days


class EventKind(models.TextChoices):
    CREATED = "created", "Created"
    EDITED = "edited", "Edited"
    STATUS = "status", "Status changed"
    DUE_DATE = "due_date", "Due date changed"
    OWNER = "owner", "Reassigned"
    RESURFACED = "resurfaced", "Re-surfaced in a review"


class ActionEvent(models.Model):
    """One entry of an action's history: who changed what, when and why."""

    action = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(default=timezone.now)
    field = models.CharField(max_length=50, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    review = models.ForeignKey(
        "reviews.Review",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_events",
        help_text="The review in which this change was made, if any.",
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


class OwnerSettings(models.Model):
    """A person's reminder preferences and the secret of their calendar feed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="action_settings"
    )
    muted_until = models.DateField(
        null=True, blank=True, help_text="No overdue digests up to and including this day."
    )
    calendar_token = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        verbose_name_plural = "owner settings"

    def __str__(self) -> str:
        return f"Settings of {self.user}"


class ResurfaceOutcome(models.TextChoices):
    PENDING = "pending", "To decide"
    RECOMMITTED = "recommitted", "Re-committed"
    CLOSED = "closed", "Closed"
    DROPPED = "dropped", "Dropped"


class ResurfacedAction(models.Model):
    """An earlier review's action, still open past its due date, brought to a new review."""

    review = models.ForeignKey(
        "reviews.Review", on_delete=models.CASCADE, related_name="resurfaced_actions"
    )
    action = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="resurfacings")
    outcome = models.CharField(
        max_length=20, choices=ResurfaceOutcome.choices, default=ResurfaceOutcome.PENDING
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["action__due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "action"], name="%(app_label)s_%(class)s_once_per_review"
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} in {self.review}"
