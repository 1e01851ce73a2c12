"""How people, moments and the agenda read on pages, in reports and in emails."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, TypedDict

from django.utils import timezone

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from reviews.models import AgendaPhase


def display_name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.email


def format_offset(moment: dt.datetime, t0: dt.datetime | None) -> str:
    """`T+1h05m`, `T-10m`, `T+2d03h`: the distance from T-0, in whole minutes."""
    if t0 is None:
        return ""
    seconds = int((moment - t0).total_seconds())
    sign = "-" if seconds < 0 else "+"
    minutes = abs(seconds) // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"T{sign}{days}d{hours:02d}h{minutes:02d}m"
    if hours:
        return f"T{sign}{hours}h{minutes:02d}m"
    return f"T{sign}{minutes}m"


class AgendaRow(TypedDict):
    phase: AgendaPhase
    planned: int
    extended: int
    actual_minutes: float | None
    over: bool


def agenda_report(agenda: list[AgendaPhase], now: dt.datetime | None = None) -> list[AgendaRow]:
    """Planned against actual minutes per phase (what the report and the end screen show)."""
    now = now or timezone.now()
    rows: list[AgendaRow] = []
    for phase in agenda:
        actual = phase.elapsed_seconds(now) if phase.started_at else None
        rows.append(
            {
                "phase": phase,
                "planned": phase.planned_minutes,
                "extended": phase.extended_minutes,
                "actual_minutes": round(actual / 60, 1) if actual is not None else None,
                # Over its time box as the clock counts it: planned plus any extension.
                "over": actual is not None and actual > phase.allowed_seconds(),
            }
        )
    return rows
