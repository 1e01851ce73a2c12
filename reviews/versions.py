"""Version numbers that tell readers something changed: a review's, and a team's figures'.

Every change to a review (its people, accounts, timeline, findings, agenda, actions) calls
`bump_review_version` in the same transaction. That moves the review's own version (what the
live meeting follows; open pages are told through reviews.push when it commits) and sends
`changed`, on which the dashboard counts what moved and, where its figures moved, the team's
figures version (what the dashboard keeps its figures under). The models import this
module; it imports no model, service, view or task, so it can never close an import circle.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone

from reviews import push

logger = logging.getLogger("aar.versions")

# Sent by bump_review_version once a change to a review is written, in its transaction.
changed = Signal()
# Sent with `review_ids` where rows of those reviews were written in bulk (no save signals).
written_in_bulk = Signal()


def bump_review_version(review_id: int, *, figures: bool = False) -> int:
    """Every change to a review bumps its version in the same transaction (the poll's key);
    returns the new version (0 for a review that is gone). Its `updated_at` moves with it, so
    the API's `updated_since` sees every change (the timeline's, the findings', the actions').

    `figures=True` after a queryset `update()` of the review, its actions, agenda or factors:
    the dashboard follows their saves and deletes by itself, but an update sends no signal.
    """
    review_model = apps.get_model("reviews", "Review")
    review_model.objects.filter(pk=review_id).update(
        version=F("version") + 1, updated_at=timezone.now()
    )
    row = review_model.objects.filter(pk=review_id).values_list("version", "team_id").first()
    if row is None:
        return 0
    version, _team_id = row
    # The dashboard brings its tallies up to date with what this change touched, and drops
    # the kept figures of the teams it moved (a timeline line or a note moves none).
    changed.send(sender=review_model, review_id=review_id, figures=figures)
    # Open meeting pages hear of it once it is committed (and never of a rolled-back change).
    transaction.on_commit(lambda: push.review_changed(review_id, version))
    return int(version)


# Each team has a version in the cache, and the dashboard keeps figures under the versions
# of the teams they cover: a change in one team's meeting leaves the others' in use.


def team_version_key(team_id: int) -> str:
    return f"dashboard:team:{team_id}"


def team_changed(team_id: int | None, *, again_on_commit: bool = True) -> None:
    """Figures of this team computed before now are not used again: now, and once more when
    the transaction commits (a page computed in between would otherwise keep old figures).

    `again_on_commit=False` where the figures are about to be read on this same connection
    (which sees its own changes): the page computed next is the right one to keep."""
    if team_id is None:
        return
    _bump(team_id)
    if again_on_commit:
        transaction.on_commit(lambda: _bump(team_id))


def _bump(team_id: int) -> None:
    key = team_version_key(team_id)
    try:
        cache.incr(key)
    except ValueError:  # not set yet, or evicted: a fresh start no earlier figures share
        cache.set(key, time.time_ns(), None)
    except Exception:  # the cache is down: nothing is being kept either
        logger.warning("could not mark the team's figures stale", exc_info=True)


class Stale(Exception):
    """Someone saved a newer version first: a versioned save refused, never written over.

    `current_text` and `version` are what is stored now, so the person sees the newer text
    beside their own (which stays in their form) and can save again against `version`;
    `current` is the fresh row where the caller needs more than its text.
    """

    def __init__(self, current_text: str, version: int, current: Any = None) -> None:
        super().__init__("Someone saved a newer version first.")
        self.current_text = current_text
        self.version = version
        self.current = current
