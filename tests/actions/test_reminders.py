from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from actions.reminders import reminders_run
from actions.services import digests_mute
from reviews.models import Notification
from tests import flaky_mail
from tests.factories import ActionItemFactory, UserFactory

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 23)  # a Monday


def digests_to(email):
    return [m for m in mail.outbox if m.to == [email] and "overdue action" in m.subject]


def test_each_owner_gets_one_digest_listing_all_their_overdue_actions():
    owner = UserFactory()
    a = ActionItemFactory(owner=owner, due_on=DAY - dt.timedelta(days=1), title="Add pool alert")
    b = ActionItemFactory(owner=owner, due_on=DAY - dt.timedelta(days=9), title="Fix the runbook")
    ActionItemFactory(owner=owner, due_on=DAY, title="Due today")
    report = reminders_run(day=DAY)
    digests = digests_to(owner.email)
    assert len(digests) == 1 and report.sent >= 1
    body = digests[0].body
    assert a.title in body and b.title in body and "Due today" not in body
    assert "9 days late" in body
    assert f"http://testserver/actions/{a.pk}/" in body
    assert digests[0].subject == "2 overdue actions for 23 Nov 2026"
    html = digests[0].alternatives[0][0]
    assert f'href="http://testserver/actions/{a.pk}/"' in html


def test_a_second_run_the_same_day_sends_nothing():
    owners = [UserFactory() for _ in range(3)]
    for owner in owners:
        ActionItemFactory(owner=owner, due_on=DAY - dt.timedelta(days=2))
    reminders_run(day=DAY)
    sent = len(mail.outbox)
    again = reminders_run(day=DAY)
    assert len(mail.outbox) == sent and again.sent == 0 and again.already == 3


def test_the_next_day_brings_a_new_digest():
    owner = UserFactory()
    ActionItemFactory(owner=owner, due_on=DAY - dt.timedelta(days=2))
    reminders_run(day=DAY)
    reminders_run(day=DAY + dt.timedelta(days=1))
    assert len(digests_to(owner.email)) == 2


def test_a_nudge_goes_out_two_days_before_the_due_date_once():
    action = ActionItemFactory(due_on=DAY + dt.timedelta(days=2))
    reminders_run(day=DAY)
    reminders_run(day=DAY)
    nudges = [m for m in mail.outbox if m.subject.startswith("Due in 2 days")]
    assert len(nudges) == 1 and nudges[0].to == [action.owner.email]


def test_a_moved_due_date_earns_a_new_nudge():
    action = ActionItemFactory(due_on=DAY + dt.timedelta(days=2))
    reminders_run(day=DAY)
    action.due_on = DAY + dt.timedelta(days=5)
    action.save()
    reminders_run(day=DAY + dt.timedelta(days=3))
    assert len([m for m in mail.outbox if m.subject.startswith("Due in 2 days")]) == 2


def test_actions_more_than_14_days_overdue_reach_the_delivery_owner_weekly():
    action = ActionItemFactory(due_on=DAY - dt.timedelta(days=15), title="Very late")
    ActionItemFactory(review=action.review, due_on=DAY - dt.timedelta(days=3), title="Just late")
    lead = action.review.team.delivery_owner
    for offset in range(7):  # every day of the week
        reminders_run(day=DAY + dt.timedelta(days=offset))
    weekly = [m for m in mail.outbox if m.to == [lead.email] and m.subject.startswith("Weekly")]
    assert len(weekly) == 1
    assert "Very late" in weekly[0].body and "Just late" not in weekly[0].body
    reminders_run(day=DAY + dt.timedelta(days=7))
    assert (
        len([m for m in mail.outbox if m.to == [lead.email] and m.subject.startswith("Weekly")])
        == 2
    )


def test_muted_digests_still_carry_actions_more_than_14_days_late():
    quiet, loud = UserFactory(), UserFactory()
    ActionItemFactory(owner=quiet, due_on=DAY - dt.timedelta(days=3))
    ActionItemFactory(owner=loud, due_on=DAY - dt.timedelta(days=3), title="Recent")
    ActionItemFactory(owner=loud, due_on=DAY - dt.timedelta(days=20), title="Ancient")
    digests_mute(user=quiet, days=5, today=DAY)
    digests_mute(user=loud, days=5, today=DAY)
    reminders_run(day=DAY)
    assert digests_to(quiet.email) == []
    [digest] = digests_to(loud.email)
    assert "Ancient" in digest.body and "Recent" not in digest.body


def test_a_failed_send_does_not_stop_the_others_and_is_retried_without_doubling(settings):
    settings.EMAIL_BACKEND = "tests.flaky_mail.EmailBackend"
    owners = [UserFactory() for _ in range(4)]
    for owner in owners:
        ActionItemFactory(owner=owner, due_on=DAY - dt.timedelta(days=1))
    flaky_mail.REFUSE[owners[1].email] = 1
    first = reminders_run(day=DAY)
    assert first.failed == 1 and first.sent == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        o.email for i, o in enumerate(owners) if i != 1
    )
    row = Notification.objects.get(email=owners[1].email)
    assert row.sent_at is None and "try again later" in row.last_error
    second = reminders_run(day=DAY)
    assert second.sent == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(o.email for o in owners)


def test_the_sweeper_retries_what_failed(settings, django_capture_on_commit_callbacks):
    from reviews.tasks import sweep_pending

    settings.EMAIL_BACKEND = "tests.flaky_mail.EmailBackend"
    owner = UserFactory()
    ActionItemFactory(owner=owner, due_on=DAY - dt.timedelta(days=1))
    flaky_mail.REFUSE[owner.email] = 1
    reminders_run(day=DAY)
    assert mail.outbox == []
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)):
        sweep_pending.delay()
    assert [m.to for m in mail.outbox] == [[owner.email]]


def test_the_local_time_zone_decides_what_today_is(settings):
    from actions.tasks import send_overdue_reminders

    settings.TIME_ZONE = "Pacific/Auckland"
    owner = UserFactory()
    ActionItemFactory(owner=owner, due_on=dt.date(2026, 11, 22))
    # 12:30 UTC on the 22nd is already the 23rd in Auckland: the action is a day late there.
    with time_machine.travel(dt.datetime(2026, 11, 22, 12, 30, tzinfo=dt.UTC), tick=False):
        send_overdue_reminders.delay()
    assert len(digests_to(owner.email)) == 1
    settings.TIME_ZONE = "America/Los_Angeles"
    other = UserFactory()
    ActionItemFactory(owner=other, due_on=dt.date(2026, 11, 22))
    with time_machine.travel(dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC), tick=False):
        send_overdue_reminders.delay()  # still the 22nd in Los Angeles: due today
    assert digests_to(other.email) == []


def test_the_command_prints_what_it_sends_and_a_dry_run_sends_nothing(capsys):
    owner = UserFactory(email="ana@example.com")
    ActionItemFactory(owner=owner, due_on=DAY - dt.timedelta(days=1))
    call_command("send_reminders", "--date", DAY.isoformat(), "--dry-run")
    out = capsys.readouterr().out
    assert "would send 1 overdue digests" in out and "ana@example.com" in out
    assert mail.outbox == [] and not Notification.objects.exists()
    call_command("send_reminders", "--date", DAY.isoformat())
    assert "sent 1" in capsys.readouterr().out
    assert len(mail.outbox) == 1


def test_the_command_refuses_a_bad_date():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "23/11/2026")


def test_the_hourly_task_sends_at_the_organisations_hour_in_its_zone(db):
    from actions.tasks import send_reminders_on_the_hour
    from reviews.models import Organisation

    Organisation.objects.update_or_create(
        pk=1, defaults={"time_zone": "Asia/Tokyo", "reminder_hour": 9}
    )
    owner = UserFactory()
    ActionItemFactory(owner=owner, due_on=dt.date(2026, 6, 1))
    # 23:00 UTC on 9 June is 08:00 in Tokyo on the 10th: not yet.
    with time_machine.travel(dt.datetime(2026, 6, 9, 23, 0, tzinfo=dt.UTC), tick=False):
        assert send_reminders_on_the_hour() is None
    assert not mail.outbox
    with time_machine.travel(dt.datetime(2026, 6, 10, 0, 0, tzinfo=dt.UTC), tick=False):
        assert send_reminders_on_the_hour()["sent"] >= 1
    assert [m.to for m in mail.outbox] == [[owner.email]]


def test_without_saved_defaults_the_hour_is_reminder_hour_in_utc(db, settings):
    from actions.tasks import send_reminders_on_the_hour

    settings.REMINDER_HOUR = 6
    with time_machine.travel(dt.datetime(2026, 6, 10, 5, 0, tzinfo=dt.UTC), tick=False):
        assert send_reminders_on_the_hour() is None
    with time_machine.travel(dt.datetime(2026, 6, 10, 6, 0, tzinfo=dt.UTC), tick=False):
        assert send_reminders_on_the_hour() is not None
