from __future__ import annotations

import pytest
from django.core.management import call_command

from actions.models import ActionItem
from reviews.models import Account, Review, ReviewStatus, Team

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_the_demo_and_running_it_again_changes_nothing(capsys):
    call_command("seed_demo")
    counts = (
        Team.objects.count(),
        Review.objects.count(),
        ActionItem.objects.count(),
        Account.objects.count(),
    )
    call_command("seed_demo")
    assert (
        Team.objects.count(),
        Review.objects.count(),
        ActionItem.objects.count(),
        Account.objects.count(),
    ) == counts
    assert "dana@example.com" in capsys.readouterr().out


def test_the_demo_has_reviews_in_the_states_a_new_user_should_see():
    call_command("seed_demo")
    preparing = Review.objects.get(title="Checkout latency spike")
    writers = preparing.participants.exclude(role="observer").count()
    submitted = preparing.accounts.filter(submitted_at__isnull=False).count()
    assert preparing.status == ReviewStatus.PREPARING
    assert 0 < submitted <= writers / 2
    assert Review.objects.get(title="Saved cards launch").agenda.count() == 6
    published = Review.objects.get(title="Database connection pool exhaustion")
    assert published.status == ReviewStatus.PUBLISHED
    statuses = set(published.action_items.values_list("status", flat=True))
    assert {"open", "done"} <= statuses
    from django.utils import timezone

    assert ActionItem.objects.filter(review=published).overdue(timezone.localdate()).exists()
