"""Rollups: what the dashboard counts, kept per team, review kind and day (and month).

A `Tally` row is how many of one thing (`metric`, with a `value` where the figure is a
histogram or a breakdown) fell on one day or in one month for one team and one review kind.
Each change is written four ways at once (the team and the whole organisation, team 0; the
review's kind and every kind, `""`), each on its day and in its month, so that any period
reads whole months in its middle and days only at its edges, and any scope reads one row set.

`ReviewFacts` keeps what each review adds to the tallies, so a change to a review writes the
difference and nothing else (see dashboard.rollups).
"""

from __future__ import annotations

from django.db import models

ALL_TEAMS = 0  # the team_id of the organisation's rows
EVERY_KIND = ""


class Grain(models.TextChoices):
    DAY = "d", "Day"
    MONTH = "m", "Month"


class Tally(models.Model):
    # Plain numbers, not foreign keys: team 0 is the organisation, and a deleted team's rows
    # are taken away with its reviews' facts, not by a cascade that would skip the sums.
    team_id = models.IntegerField()
    kind = models.CharField(max_length=20, blank=True)
    grain = models.CharField(max_length=1, choices=Grain.choices)
    start = models.DateField()  # the day, or the first day of the month
    metric = models.CharField(max_length=16)
    value = models.CharField(max_length=40, blank=True)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "kind", "team_id", "grain", "start", "value"],
                name="dashboard_tally_one_row",
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric}={self.value} team {self.team_id} {self.grain}{self.start}: {self.n}"


class ReviewFacts(models.Model):
    """What one review (its own row, its actions, agenda and factors) adds to the tallies."""

    review_id = models.IntegerField(primary_key=True)  # not a key: it outlives the review
    facts = models.JSONField(default=dict)  # "team|metric|day|value" -> n
    kind = models.CharField(max_length=20, blank=True)

    def __str__(self) -> str:
        return f"facts of review {self.review_id}"


class RollupState(models.Model):
    """The time zone the days were counted in; a rebuild is due when the setting differs."""

    time_zone = models.CharField(max_length=64)
    rebuilt_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"rollups in {self.time_zone}"
