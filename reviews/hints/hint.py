"""What a check returns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Hint:
    """A stable code (so a person can dismiss it for one item), the problem, and what to do
    instead, with an example. Hints never block anything."""

    code: str
    message: str
    suggestion: str
