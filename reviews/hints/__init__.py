"""Gentle hints on the method's failure patterns: pure functions, no database, fast.

One engine for the live hints (account editor, meeting, action forms) and `lint_aar`:
`actions` judges action items, `language` finds blame and hindsight, `health` looks at a
review's dates and counts. `text` turns Markdown into the writer's own words first.
"""

from reviews.hints.actions import (
    action_hints,
    is_directive,
    owner_is_group,
    title_is_joined,
    title_is_vague,
    vague_hint,
    vagueness,
)
from reviews.hints.health import review_health, review_health_of
from reviews.hints.hint import Hint
from reviews.hints.language import blame_hints, blames, sentence_blames

__all__ = [
    "Hint",
    "action_hints",
    "blame_hints",
    "blames",
    "is_directive",
    "owner_is_group",
    "review_health",
    "review_health_of",
    "sentence_blames",
    "title_is_joined",
    "title_is_vague",
    "vague_hint",
    "vagueness",
]
