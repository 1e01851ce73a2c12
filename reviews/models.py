"""Reviews: teams, the events under review, their people, accounts, timeline and findings."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from aar_project.dates import day_start

if TYPE_CHECKING:
    from aar_project.typing import AnyUser


# --- Teams -----------------------------------------------------------------------------


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


# --- Reviews ---------------------------------------------------------------------------


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


class PullRequestType(models.TextChoices):
    FEATURE = "feature", "Feature"
    BUG_FIX = "bug_fix", "Bug Fix"
    ENHANCEMENT = "enhancement", "Enhancement"
    REFACTOR = "refactor", "Refactor"
    INFRASTRUCTURE = "infrastructure", "Infrastructure"


class Priority(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class ReviewQuerySet(models.QuerySet["Review"]):
    def visible_to(self, user: AnyUser) -> ReviewQuerySet:
        """Reviews a user may open: their team's, the ones they take part in, or all (staff)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        # EXISTS rather than joins: no duplicate rows, so no DISTINCT over wide columns.
        takes_part = Participant.objects.filter(review=OuterRef("pk"), user_id=user.pk)
        member = Team.members.through.objects.filter(team_id=OuterRef("team_id"), user_id=user.pk)
        return self.filter(Exists(takes_part) | Q(team__delivery_owner_id=user.pk) | Exists(member))

    def active(self) -> ReviewQuerySet:
        return self.exclude(status__in=[ReviewStatus.PUBLISHED, ReviewStatus.CANCELLED])

    def published(self) -> ReviewQuerySet:
        return self.filter(status=ReviewStatus.PUBLISHED)

    def for_team(self, team: Team) -> ReviewQuerySet:
        return self.filter(team=team)


# Reviews wait for their meeting at most this long after the event; reports are published
# within this many days of the meeting (the method's thresholds, flagged past them).
WAITING_LATE_DAYS = 14
UNPUBLISHED_AFTER_DAYS = 5


def review_conditions(today: dt.date) -> dict[str, Q]:
    """Reviews still waiting for their meeting (and for over two weeks since the event), and
    reports not published five days after the meeting: for the dashboard and its lists."""
    waiting = Q(
        status__in=[ReviewStatus.DRAFT, ReviewStatus.PREPARING], event_started_at__isnull=False
    )
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
    published_at = models.DateTimeField(null=True, blank=True)
    report_version = models.PositiveIntegerField(
        default=0, help_text="Raised each time the report is published (again)."
    )
    next_review_on = models.DateField(null=True, blank=True)

    # Pull-request context (kind = pull_request).
    pr_number = models.PositiveIntegerField(null=True, blank=True)
    pr_url = models.URLField(blank=True)
    pr_type = models.CharField(max_length=20, choices=PullRequestType.choices, blank=True)
    pr_priority = models.CharField(max_length=10, choices=Priority.choices, blank=True)
    pr_files_changed = models.PositiveIntegerField(null=True, blank=True)
    pr_lines_added = models.PositiveIntegerField(null=True, blank=True)
    pr_lines_removed = models.PositiveIntegerField(null=True, blank=True)
    pr_author = models.CharField(max_length=100, blank=True)
    pr_reviewers = models.CharField(
        max_length=500, blank=True, help_text="Code-host logins, separated by commas."
    )
    pr_opened_at = models.DateTimeField(null=True, blank=True)
    pr_merged_at = models.DateTimeField(null=True, blank=True)
    # The sections only a change has (technical changes, decisions, testing, knowledge
    # sharing, follow-up work), keyed by PR_SECTIONS; written on the review's page.
    pr_sections = models.JSONField(default=dict, blank=True)
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
    def accounts_revealed(self) -> bool:
        return self.accounts_revealed_at is not None

    @property
    def is_pull_request(self) -> bool:
        return self.kind == ReviewKind.PULL_REQUEST

    def event_date(self) -> dt.date | None:
        moment = self.event_started_at or self.event_detected_at
        return timezone.localtime(moment).date() if moment else None

    def meeting_date(self) -> dt.date | None:
        return timezone.localtime(self.scheduled_at).date() if self.scheduled_at else None

    def days_from_event_to_meeting(self) -> int | None:
        event, meeting = self.event_date(), self.meeting_date()
        if event is None or meeting is None:
            return None
        return (meeting - event).days

    def pr_reviewer_list(self) -> list[str]:
        return [r.strip().lstrip("@") for r in self.pr_reviewers.split(",") if r.strip()]


PR_SECTIONS: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "Key Components Modified",
        "technical",
        [
            ("backend", "Backend Changes"),
            ("frontend", "Frontend Changes"),
            ("infrastructure", "Infrastructure Changes"),
            ("documentation", "Documentation Updates"),
        ],
    ),
    (
        "Architectural Decisions",
        "decisions",
        [
            ("design", "Design Pattern"),
            ("dependencies", "Dependencies"),
            ("performance", "Performance Considerations"),
            ("security", "Security Considerations"),
        ],
    ),
    (
        "Testing Approach",
        "testing",
        [
            ("unit", "Unit Tests"),
            ("integration", "Integration Tests"),
            ("manual", "Manual Testing"),
            ("performance_testing", "Performance Testing"),
        ],
    ),
    (
        "Knowledge Sharing",
        "knowledge",
        [
            ("components", "Reusable Components"),
            ("docs", "Documentation Links"),
            ("references", "Reference Materials"),
        ],
    ),
    (
        "Follow-up Work",
        "followup",
        [
            ("debt", "Technical Debt"),
            ("enhancements", "Feature Enhancements"),
            ("monitoring", "Monitoring"),
            ("refactoring", "Refactoring Opportunities"),
        ],
    ),
]


# --- People ----------------------------------------------------------------------------


class Role(models.TextChoices):
    FACILITATOR = "facilitator", "Facilitator"
    SCRIBE = "scribe", "Scribe"
    PARTICIPANT = "participant", "Participant"
    OBSERVER = "observer", "Observer"


class ParticipantQuerySet(models.QuerySet["Participant"]):
    def writers(self) -> ParticipantQuerySet:
        """Those who write an account: everyone but observers."""
        return self.exclude(role=Role.OBSERVER)


class Participant(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PARTICIPANT)
    invited_at = models.DateTimeField(null=True, blank=True)
    added_at = models.DateTimeField(default=timezone.now)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["role", "added_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "user"], name="%(app_label)s_%(class)s_one_row_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class Account(models.Model):
    """A participant's written account. Sealed until the facilitator reveals the accounts."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="accounts")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="accounts")
    body = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant"], name="%(app_label)s_%(class)s_one_per_participant"
            )
        ]

    def __str__(self) -> str:
        return f"Account of {self.participant.user}"

    @property
    def revealed(self) -> bool:
        return self.review.accounts_revealed_at is not None

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


# --- Timeline --------------------------------------------------------------------------


class EntryKind(models.TextChoices):
    DETECTION = "detection", "Detection"
    ACKNOWLEDGMENT = "acknowledgment", "Acknowledgment"
    SEVERITY_ASSESSED = "severity_assessed", "Severity assessed"
    INVESTIGATION = "investigation", "Investigation"
    MITIGATION = "mitigation", "Mitigation"
    COMMUNICATION = "communication", "Communication"
    RESOLUTION = "resolution", "Resolution"
    DECISION = "decision", "Decision"
    MILESTONE = "milestone", "Milestone"
    PIVOT = "pivot", "Pivot"
    OTHER = "other", "Other"


class EntrySource(models.TextChoices):
    LOG = "log", "Log"
    CHAT = "chat", "Chat"
    TICKET = "ticket", "Ticket"
    ACCOUNT = "account", "Account"
    MEETING = "meeting", "Meeting"


class TimelineEntryQuerySet(models.QuerySet["TimelineEntry"]):
    def in_order(self) -> TimelineEntryQuerySet:
        return self.order_by("occurred_at", "pk")

    def disputed(self) -> TimelineEntryQuerySet:
        return self.filter(disputed=True)


class TimelineEntry(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="timeline_entries")
    occurred_at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=EntryKind.choices, default=EntryKind.OTHER)
    description = models.TextField()
    source = models.CharField(max_length=10, choices=EntrySource.choices, blank=True)
    source_ref = models.CharField(max_length=500, blank=True)
    account = models.ForeignKey(
        Account,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="promoted_entries",
    )
    disputed = models.BooleanField(default=False)
    dispute_note = models.TextField(blank=True)
    correction = models.TextField(blank=True)
    import_key = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = TimelineEntryQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_at", "pk"]
        indexes = [
            models.Index(fields=["review", "occurred_at"], name="%(app_label)s_%(class)s_rev_time")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "import_key"],
                condition=~Q(import_key=""),
                name="%(app_label)s_%(class)s_import_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.description[:40]}"


# --- Findings --------------------------------------------------------------------------


class Finding(models.Model):
    """What every finding shares: its review, its text, its place, its edit version."""

    text = models.TextField()
    position = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class WhyNode(Finding):
    """One answer in the five-whys tree; a why may have several answers (children)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="why_nodes")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    evidence = models.ManyToManyField(TimelineEntry, related_name="cited_by", blank=True)

    class Meta(Finding.Meta):
        pass


class CausalFactorType(models.TextChoices):
    TECHNICAL = "technical", "Technical"
    CONFIGURATION = "configuration", "Configuration"
    MONITORING = "monitoring", "Monitoring"
    PROCESS = "process", "Process"


class CausalFactor(Finding):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="causal_factors")
    factor_type = models.CharField(max_length=20, choices=CausalFactorType.choices)

    class Meta(Finding.Meta):
        pass


class FactorCategory(models.TextChoices):
    MONITORING = "monitoring", "Monitoring"
    DOCUMENTATION = "documentation", "Documentation"
    PROCESS = "process", "Process"
    TOOLING = "tooling", "Tooling"
    KNOWLEDGE = "knowledge", "Knowledge"
    OTHER = "other", "Other"


class ContributingFactor(Finding):
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="contributing_factors"
    )
    category = models.CharField(max_length=20, choices=FactorCategory.choices)

    class Meta(Finding.Meta):
        indexes = [models.Index(fields=["category", "review"], name="reviews_cf_category_review")]


class WentWell(Finding):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="went_well")

    class Meta(Finding.Meta):
        verbose_name_plural = "went well"


class LessonCategory(models.TextChoices):
    GENERAL = "general", "General"
    TECHNICAL = "technical", "Technical"
    PROCESS = "process", "Process"


class Lesson(Finding):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="lesson_items")
    category = models.CharField(
        max_length=20, choices=LessonCategory.choices, default=LessonCategory.GENERAL
    )

    class Meta(Finding.Meta):
        pass


# --- Agenda ----------------------------------------------------------------------------


class Phase(models.TextChoices):
    SUMMARY = "summary", "Summary"
    TIMELINE = "timeline", "Timeline"
    ROOT_CAUSE = "root_cause", "Root cause"
    CONTRIBUTING_FACTORS = "contributing_factors", "Contributing factors"
    WENT_WELL = "went_well", "What went well"
    ACTION_ITEMS = "action_items", "Action items"


DEFAULT_AGENDA: list[tuple[str, int]] = [
    (Phase.SUMMARY, 5),
    (Phase.TIMELINE, 25),
    (Phase.ROOT_CAUSE, 20),
    (Phase.CONTRIBUTING_FACTORS, 10),
    (Phase.WENT_WELL, 10),
    (Phase.ACTION_ITEMS, 10),
]


class AgendaPhase(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="agenda")
    phase = models.CharField(max_length=30, choices=Phase.choices)
    position = models.PositiveSmallIntegerField()
    planned_minutes = models.PositiveSmallIntegerField()
    extended_minutes = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(default=0)
    # Time spent in closed stretches of this phase, and the start of the running stretch.
    spent_seconds = models.PositiveIntegerField(default=0)
    segment_started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "phase"], name="%(app_label)s_%(class)s_one_per_phase"
            ),
            models.UniqueConstraint(
                fields=["review", "position"], name="%(app_label)s_%(class)s_one_per_position"
            ),
            models.CheckConstraint(
                condition=Q(planned_minutes__gt=0),
                name="%(app_label)s_%(class)s_planned_minutes_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_phase_display()} ({self.planned_minutes} min)"

    @property
    def is_current(self) -> bool:
        return self.started_at is not None and self.ended_at is None

    def elapsed_seconds(self, now: dt.datetime) -> int:
        running = (now - self.segment_started_at).total_seconds() if self.segment_started_at else 0
        return self.spent_seconds + max(0, int(running))

    def allowed_seconds(self) -> int:
        return (self.planned_minutes + self.extended_minutes) * 60

    def remaining_seconds(self, now: dt.datetime) -> int:
        """Negative once the phase runs over."""
        return self.allowed_seconds() - self.elapsed_seconds(now)


# --- The meeting -------------------------------------------------------------------------


class SuggestionKind(models.TextChoices):
    ENTRY = "entry", "Timeline entry"
    WHY = "why", "Why"
    CAUSAL = "causal", "Causal factor"
    FACTOR = "factor", "Contributing factor"
    WENT_WELL = "went_well", "What went well"
    ACTION = "action", "Action"


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class Suggestion(models.Model):
    """A participant's proposal in the meeting; the scribe or facilitator accepts or declines it."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="suggestions")
    kind = models.CharField(max_length=20, choices=SuggestionKind.choices)
    text = models.TextField()
    payload = models.JSONField(default=dict, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="suggestions"
    )
    status = models.CharField(
        max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["review", "status"], name="reviews_suggestion_rev_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:40]}"


class MeetingNotes(models.Model):
    """The facilitator's private notes: never shown to anyone else, never exported."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="private_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "author"], name="%(app_label)s_%(class)s_one_per_author"
            )
        ]

    def __str__(self) -> str:
        return f"Notes of {self.author} on {self.review}"


# --- Outbound email --------------------------------------------------------------------


class NotificationQuerySet(models.QuerySet["Notification"]):
    def pending(self) -> NotificationQuerySet:
        return self.filter(sent_at__isnull=True, gave_up_at__isnull=True)


class Notification(models.Model):
    """One email to one person, recorded before it is sent, so it is sent once.

    `key` names what the email is for (an invitation at one calendar sequence, a reminder of
    one account, one owner's digest of one day). A second attempt to create the same key
    finds the row and does nothing; a worker claims a row with a conditional update before
    it sends, and marks it sent after. The message is rendered when it is sent (sign-in
    tokens are never stored).
    """

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    email = models.EmailField()
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    gave_up_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(sent_at__isnull=True, gave_up_at__isnull=True),
                name="reviews_notification_pending",
            ),
            models.Index(fields=["kind", "review"], name="reviews_notification_kind_rev"),
        ]

    def __str__(self) -> str:
        return self.key


# --- Timeline imports ------------------------------------------------------------------


class ImportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    JSONL = "jsonl", "JSON Lines"
    SLACK = "slack", "Slack channel export"


class TimelineImport(models.Model):
    """An uploaded file waiting for its preview to be confirmed (all or nothing)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="imports")
    file_format = models.CharField(max_length=10, choices=ImportFormat.choices)
    filename = models.CharField(max_length=200)
    content = models.TextField()
    users_content = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)
    added = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.filename


# --- Report exports ----------------------------------------------------------------------------


class ExportFormat(models.TextChoices):
    MARKDOWN = "md", "Markdown"
    PDF = "pdf", "PDF"
    JSON = "json", "JSON"


class ExportStatus(models.TextChoices):
    PENDING = "pending", "Being prepared"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class ReportExportQuerySet(models.QuerySet["ReportExport"]):
    def pending(self) -> ReportExportQuerySet:
        return self.filter(status=ExportStatus.PENDING)


class ReportExport(models.Model):
    """One file of one published version of a report; made once, whatever runs twice."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="exports")
    report_version = models.PositiveIntegerField()
    file_format = models.CharField(max_length=10, choices=ExportFormat.choices)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    path = models.CharField(max_length=500, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    objects = ReportExportQuerySet.as_manager()

    class Meta:
        ordering = ["review", "-report_version", "file_format"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "report_version", "file_format"],
                name="%(app_label)s_%(class)s_once_per_version",
            )
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(status="pending"),
                name="reviews_export_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.review} v{self.report_version} {self.file_format}"


class HintDismissal(models.Model):
    """A person has read a hint about one item and chosen to hide it there."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    item = models.CharField(max_length=100)
    code = models.CharField(max_length=50)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "item", "code"], name="%(app_label)s_%(class)s_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.code}"
