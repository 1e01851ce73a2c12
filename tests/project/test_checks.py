from __future__ import annotations

from django.core import checks

from reviews import notify
from reviews.models import NotificationKind


def test_every_notification_kind_has_a_renderer():
    assert set(NotificationKind.values) <= set(notify.RENDERERS)
    assert not [m for m in checks.run_checks() if m.id == "reviews.E001"]


def test_a_kind_without_a_renderer_stops_the_start(monkeypatch):
    renderers = dict(notify.RENDERERS)
    del renderers[NotificationKind.ACTION_NUDGE]
    monkeypatch.setattr(notify, "RENDERERS", renderers)
    monkeypatch.setattr("reviews.checks.RENDERERS", renderers)
    errors = [m for m in checks.run_checks() if m.id == "reviews.E001"]
    assert [e.msg for e in errors] == ["Notification kind 'action_nudge' has no renderer."]
