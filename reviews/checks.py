"""System checks: `manage.py check` (and every start) refuses a configuration that cannot work."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register

from reviews.models import NotificationKind
from reviews.notify import RENDERERS


@register()
def every_notification_kind_has_a_renderer(**kwargs: Any) -> list[CheckMessage]:
    """An email kind without a renderer would be recorded and then never sent."""
    return [
        Error(
            f"Notification kind {kind!r} has no renderer.",
            hint="Register one with @renderer(NotificationKind...) in an app's emails module.",
            id="reviews.E001",
        )
        for kind in NotificationKind.values
        if kind not in RENDERERS
    ]
