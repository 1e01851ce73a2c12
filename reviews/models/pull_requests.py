"""What a pull-request review knows of the change: one row beside its review."""

from __future__ import annotations

from django.db import models

from reviews.models.reviews import Review


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


class PullRequestContext(models.Model):
    """The change a pull-request review looks back at (the template's context block), and the
    sections only a change has (technical changes, decisions, testing, knowledge sharing,
    follow-up work), keyed by PR_SECTIONS."""

    review = models.OneToOneField(
        Review, on_delete=models.CASCADE, primary_key=True, related_name="pull_request"
    )
    number = models.PositiveIntegerField(null=True, blank=True)
    url = models.URLField(blank=True)
    pr_type = models.CharField(
        "PR type", max_length=20, choices=PullRequestType.choices, blank=True
    )
    priority = models.CharField(max_length=10, choices=Priority.choices, blank=True)
    files_changed = models.PositiveIntegerField(null=True, blank=True)
    lines_added = models.PositiveIntegerField(null=True, blank=True)
    lines_removed = models.PositiveIntegerField(null=True, blank=True)
    author = models.CharField(max_length=100, blank=True)
    reviewers = models.CharField(
        max_length=500, blank=True, help_text="Code-host logins, separated by commas."
    )
    merged_by = models.CharField(max_length=100, blank=True)
    labels = models.CharField(
        max_length=500, blank=True, help_text="The code host's labels, separated by commas."
    )
    opened_at = models.DateTimeField("opened", null=True, blank=True)
    merged_at = models.DateTimeField("merged", null=True, blank=True)
    sections = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "pull-request context"

    def __str__(self) -> str:
        return f"#{self.number}" if self.number else "pull request"

    def reviewer_list(self) -> list[str]:
        return [r.strip().lstrip("@") for r in self.reviewers.split(",") if r.strip()]


def pull_request_of(review: Review) -> PullRequestContext:
    """The review's pull-request context; an empty, unsaved one if it has none yet."""
    try:
        context: PullRequestContext = review.pull_request
    except PullRequestContext.DoesNotExist:
        return PullRequestContext(review=review)
    return context
