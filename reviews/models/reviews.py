"""The events under review: kind, severity, times, leads, status and the written findings' text."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from aar_project.dates import day_start
from reviews.models.teams import Team

if TYPE_CHECKING:
    from aar_project.typing import AnyUser


class ReviewKind(models.TextChoices):
    INCIDENT = "incident", "Incident"
    LAUNCH = "launch", "Launch"
    PROJECT = "project", "Project"
    RELEASE = "release", "Release"
    PULL_REQUEST = "pull_request", "Pull request"


class Severity(models.TextChoices):
    SEV1 = "sev1", "SEV-1"
    SEV2 = "sev2", "SEV-2"
    SEV3 = "sev3", "SEV-3"
    SEV4 = "sev4", "SEV-4"
    MAJOR_LAUNCH = "major_launch", "Major launch"
    MINOR_LAUNCH = "minor_launch", "Minor launch"
    PROJECT_CLOSEOUT = "project_closeout", "Project closeout"
    MAJOR_RELEASE = "major_release", "Major release"
    MINOR_RELEASE = "minor_release", "Minor release"
    MAJOR_CHANGE = "major_change", "Major change"
    MINOR_CHANGE = "minor_change", "Minor change"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PREPARING = "preparing", "Preparing"
    IN_MEETING = "in_meeting", "In meeting"
    WRITING = "writing", "Writing"
    PUBLISHED = "published", "Published"
    CANCELLED = "cancelled", "Cancelled"


class RootCauseMethod(models.TextChoices):
    FIVE_WHYS = "five_whys", "Five whys"
    CAUSAL_CHAIN = "causal_chain", "Causal chain"


# Before the meeting: the review is being set up, people write their accounts.
BEFORE_MEETING = (ReviewStatus.DRAFT, ReviewStatus.PREPARING)


class ReviewQuerySet(models.QuerySet["Review"]):
    def visible_to(self, user: AnyUser) -> ReviewQuerySet:
        """Reviews a user may open: their team's, the ones they take part in, or all (staff)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        # EXISTS rather than joins: no duplicate rows, so no DISTINCT over wide columns.
        participant_model = apps.get_model("reviews", "Participant")  # defined beside Account
        takes_part = participant_model.objects.filter(review=OuterRef("pk"), user_id=user.pk)
        member = Team.members.through.objects.filter(team_id=OuterRef("team_id"), user_id=user.pk)
        return self.filter(Exists(takes_part) | Q(team__delivery_owner_id=user.pk) | Exists(member))

    def published(self) -> ReviewQuerySet:
        return self.filter(status=ReviewStatus.PUBLISHED)


# Reviews wait for their meeting at most this long after the event; reports are published
# within this many days of the meeting (the method's thresholds, flagged past them).
WAITING_LATE_DAYS = 14
UNPUBLISHED_AFTER_DAYS = 5


def review_conditions(today: dt.date, required: Q | None = None) -> dict[str, Q]:
    """Reviews still waiting for their meeting (and for over two weeks since the event), and
    reports not published five days after the meeting: for the dashboard and its lists.
    `required` narrows the waiting ones to those the teams' checklists ask a review for
    (`Team.objects.review_required()`)."""
    waiting = Q(status__in=BEFORE_MEETING, event_started_at__isnull=False) & (required or Q())
    return {
        "current": ~Q(status=ReviewStatus.CANCELLED),
        "waiting": waiting,
        "waiting_late": waiting
        & Q(event_started_at__lt=day_start(today - dt.timedelta(days=WAITING_LATE_DAYS))),
        "unpublished": Q(
            status=ReviewStatus.WRITING,
            meeting_ended_at__lt=day_start(today - dt.timedelta(days=UNPUBLISHED_AFTER_DAYS)),
        ),
    }


class Review(models.Model):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="reviews")
    kind = models.CharField(max_length=20, choices=ReviewKind.choices, default=ReviewKind.INCIDENT)
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    severity = models.CharField(max_length=20, choices=Severity.choices, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")

    event_started_at = models.DateTimeField(null=True, blank=True)
    event_detected_at = models.DateTimeField(
        null=True, blank=True, help_text="T-0: when the event was detected."
    )
    event_ended_at = models.DateTimeField(null=True, blank=True)
    scheduled_at = models.DateTimeField(null=True, blank=True, help_text="The review meeting.")
    meeting_minutes = models.PositiveSmallIntegerField(default=80)
    accounts_due_at = models.DateTimeField(null=True, blank=True)

    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="facilitated_reviews",
    )
    scribe = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scribed_reviews",
    )
    status = models.CharField(
        max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )

    summary = models.TextField(blank=True)
    summary_version = models.PositiveIntegerField(default=1)
    impact_users_affected = models.PositiveIntegerField(null=True, blank=True)
    impact_users_segment = models.CharField(max_length=200, blank=True)
    impact_duration = models.CharField(max_length=100, blank=True)
    impact_business = models.TextField(blank=True)
    lessons = models.TextField(blank=True)
    root_cause_method = models.CharField(
        max_length=20, choices=RootCauseMethod.choices, default=RootCauseMethod.FIVE_WHYS
    )
    no_actions = models.BooleanField(
        default=False, help_text="The review decided, explicitly, that no action is needed."
    )

    accounts_revealed_at = models.DateTimeField(null=True, blank=True)
    ics_sequence = models.PositiveIntegerField(
        default=0, help_text="The calendar invitation's SEQUENCE; raised on every reschedule."
    )
    invitations_sent_at = models.DateTimeField(null=True, blank=True)
    meeting_started_at = models.DateTimeField(null=True, blank=True)
    meeting_ended_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    # The facilitator's "Ready to move on?" while it is open (moving on closes it).
    ready_asked_at = models.DateTimeField(null=True, blank=True)
    # Which of the facilitator's sessions runs the controls (a digest of it, never the session
    # key), so a second window or device cannot fight the first; empty until a control is used.
    controller = models.CharField(max_length=32, blank=True)
    controller_since = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    report_version = models.PositiveIntegerField(
        default=0, help_text="Raised each time the report is published (again)."
    )
    next_review_on = models.DateField(null=True, blank=True)

    # The text the archive searches: rebuilt at every publish, never holds an account; on
    # PostgreSQL also kept as a tsvector under a GIN index (migration 0007).
    search_text = models.TextField(blank=True)
    search_vector = SearchVectorField(null=True, blank=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveBigIntegerField(default=1)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-scheduled_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(facilitator__isnull=True)
                | Q(scribe__isnull=True)
                | ~Q(facilitator=F("scribe")),
                name="%(app_label)s_%(class)s_facilitator_is_not_scribe",
            ),
            models.CheckConstraint(
                condition=Q(event_started_at__isnull=True)
                | Q(event_ended_at__isnull=True)
                | Q(event_ended_at__gte=F("event_started_at")),
                name="%(app_label)s_%(class)s_event_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(meeting_minutes__gt=0),
                name="%(app_label)s_%(class)s_meeting_minutes_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["team", "status"], name="%(app_label)s_%(class)s_team_status"),
            # The dashboard: a team's reviews created in a period, and the most recent ones.
            models.Index(fields=["team", "created_at"], name="%(app_label)s_%(class)s_team_made"),
            # ...and the most recent of the whole organisation.
            models.Index(fields=["created_at"], name="%(app_label)s_%(class)s_made"),
            models.Index(
                fields=["status", "scheduled_at"], name="%(app_label)s_%(class)s_st_sched"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def t0(self) -> dt.datetime | None:
        """The reference point of T+offsets: detection, else the start of the event."""
        return self.event_detected_at or self.event_started_at

    @property
    def is_before_meeting(self) -> bool:
        """Still being prepared: accounts can be written, the agenda planned."""
        return self.status in BEFORE_MEETING

    @property
    def is_in_meeting(self) -> bool:
        return self.status == ReviewStatus.IN_MEETING

    @property
    def accounts_overdue(self) -> bool:
        """Still being prepared, and the time set for the accounts has passed."""
        return (
            self.is_before_meeting
            and self.accounts_due_at is not None
            and self.accounts_due_at <= timezone.now()
        )

    @property
    def is_open_for_capture(self) -> bool:
        """Findings are captured in the meeting, finished after it, amended once published."""
        return self.status in (
            ReviewStatus.IN_MEETING,
            ReviewStatus.WRITING,
            ReviewStatus.PUBLISHED,
        )

    @property
    def is_after_meeting(self) -> bool:
        """The meeting was held: the report is being written, or is published."""
        return self.status in (ReviewStatus.WRITING, ReviewStatus.PUBLISHED)

    @property
    def is_published(self) -> bool:
        return self.status == ReviewStatus.PUBLISHED

    @property
    def is_closed(self) -> bool:
        """Published or cancelled: no longer waiting on anyone."""
        return self.status in (ReviewStatus.PUBLISHED, ReviewStatus.CANCELLED)

    @property
    def is_pull_request(self) -> bool:
        return self.kind == ReviewKind.PULL_REQUEST

    def event_date(self) -> dt.date | None:
        moment = self.event_started_at or self.event_detected_at
        return timezone.localtime(moment).date() if moment else None

    def meeting_date(self) -> dt.date | None:
        return timezone.localtime(self.scheduled_at).date() if self.scheduled_at else None
