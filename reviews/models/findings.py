"""Root-cause findings: five whys, causal and contributing factors, what went well, lessons."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone

from reviews.models.reviews import Review
from reviews.models.timeline import TimelineEntry

if TYPE_CHECKING:
    pass


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
