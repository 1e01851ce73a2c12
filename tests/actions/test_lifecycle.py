from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from actions.models import ActionEvent, ActionItem, ResurfacedAction
from actions.services import calendar_token_renew
from reviews.services.reviews import review_create
from tests.factories import ActionItemFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(db):
    return ActionItemFactory(due_on=timezone.localdate() + dt.timedelta(days=5))


def post(client, action, what, **data):
    return client.post(f"/actions/{action.pk}/{what}/", {"version": action.version, **data})


def test_my_actions_lists_open_ones_by_due_date_with_lateness(client, db):
    owner = UserFactory()
    today = timezone.localdate()
    late = ActionItemFactory(owner=owner, due_on=today - dt.timedelta(days=3), title="Late one")
    soon = ActionItemFactory(owner=owner, due_on=today + dt.timedelta(days=1), title="Soon one")
    ActionItemFactory(
        owner=owner,
        status="done",
        closed_at=timezone.now(),
        closing_note="checked",
        title="Closed one",
    )
    ActionItemFactory(title="Somebody else's")
    client.force_login(owner)
    page = client.get("/actions/mine/").content.decode()
    assert page.index(late.title) < page.index(soon.title)
    assert "3 days late" in page
    assert "Closed one" not in page and "Somebody else's" not in page
    assert "Closed one" in client.get("/actions/mine/?show=closed").content.decode()


def test_due_today_is_not_overdue(db):
    today = timezone.localdate()
    ActionItemFactory(due_on=today)
    ActionItemFactory(due_on=today - dt.timedelta(days=1))
    assert ActionItem.objects.overdue(today).count() == 1


def test_done_needs_a_verification_note(client, action):
    client.force_login(action.owner)
    response = post(client, action, "status", status="done", note="  ")
    assert response.status_code == 400
    assert b"verification note" in response.content
    action.refresh_from_db()
    assert action.status == "open"


def test_done_with_a_note_closes_it_and_records_the_history(client, action):
    client.force_login(action.owner)
    assert (
        post(client, action, "status", status="done", note="Alert fired in the drill").status_code
        == 302
    )
    action.refresh_from_db()
    assert (
        action.status == "done"
        and action.closed_at
        and action.closing_note == "Alert fired in the drill"
    )
    event = ActionEvent.objects.get(action=action, kind="status")
    assert (event.old_value, event.new_value, event.actor) == ("open", "done", action.owner)
    assert "Alert fired in the drill" in client.get(f"/actions/{action.pk}/").content.decode()


def test_wont_do_needs_a_reason(client, action):
    client.force_login(action.owner)
    assert post(client, action, "status", status="wont_do").status_code == 400
    assert (
        post(
            client, action, "status", status="wont_do", note="Superseded by the new pool"
        ).status_code
        == 302
    )


def test_in_progress_then_back_to_open(client, action):
    client.force_login(action.owner)
    post(client, action, "status", status="in_progress")
    action.refresh_from_db()
    assert action.status == "in_progress"


def test_moving_the_due_date_needs_a_reason_and_keeps_it(client, action):
    client.force_login(action.owner)
    new = (action.due_on + dt.timedelta(days=7)).isoformat()
    assert post(client, action, "due", due_on=new, reason="").status_code == 400
    assert (
        post(client, action, "due", due_on=new, reason="Waiting for the vendor patch").status_code
        == 302
    )
    event = ActionEvent.objects.get(action=action, kind="due_date")
    assert event.reason == "Waiting for the vendor patch" and event.new_value == new


def test_reassigning_notifies_the_new_owner(client, action):
    newcomer = UserFactory()
    action.review.team.members.add(newcomer)
    client.force_login(action.review.facilitator)
    assert (
        post(client, action, "owner", owner=newcomer.pk, reason="Pat is on leave").status_code
        == 302
    )
    action.refresh_from_db()
    assert action.owner == newcomer
    assert [m.to for m in mail.outbox] == [[newcomer.email]]
    assert action.title in mail.outbox[0].subject and "\n" not in mail.outbox[0].subject


def test_a_stale_change_is_refused_and_the_text_kept(client, action):
    client.force_login(action.owner)
    post(
        client, action, "edit", title="Add a pool saturation alert at 80%", action_type="monitoring"
    )
    response = post(
        client, action, "edit", title="My older edit of the title", action_type="monitoring"
    )
    assert response.status_code == 409
    assert b"My older edit of the title" in response.content
    action.refresh_from_db()
    assert action.title == "Add a pool saturation alert at 80%"


@pytest.mark.parametrize("who", ["member", "observer", "staff", "outsider"])
def test_only_owner_leads_and_delivery_owner_may_change(client, cast, who):
    action = ActionItemFactory(review=cast.review, owner=cast.participant)
    client.force_login(cast.people()[who])
    assert post(client, action, "status", status="in_progress").status_code == 404
    action.refresh_from_db()
    assert action.status == "open"


def test_the_delivery_owner_may_change(client, cast):
    action = ActionItemFactory(review=cast.review, owner=cast.participant)
    client.force_login(cast.owner)
    assert post(client, action, "status", status="in_progress").status_code == 302


# --- Calendar feed ---------------------------------------------------------------------


def test_the_calendar_feed_lists_open_due_dates_and_parses(client, db):
    owner = UserFactory()
    open_one = ActionItemFactory(owner=owner, title="Add alert")
    ActionItemFactory(owner=owner, status="done", closed_at=timezone.now(), closing_note="ok")
    token = calendar_token_renew(user=owner)
    response = client.get(f"/actions/feed/{token}.ics")
    assert response.status_code == 200
    events = list(Calendar.from_ical(response.content).walk("VEVENT"))
    assert [str(e["SUMMARY"]) for e in events] == ["Due: Add alert"]
    assert events[0].decoded("DTSTART") == open_one.due_on


def test_a_renewed_feed_address_retires_the_old_one(client, db):
    owner = UserFactory()
    old = calendar_token_renew(user=owner)
    new = calendar_token_renew(user=owner)
    assert client.get(f"/actions/feed/{old}.ics").status_code == 404
    assert client.get(f"/actions/feed/{new}.ics").status_code == 200


def test_switching_the_feed_off(client, db):
    owner = UserFactory()
    token = calendar_token_renew(user=owner)
    client.force_login(owner)
    client.post("/actions/settings/", {"revoke_feed": "1"})
    assert client.get(f"/actions/feed/{token}.ics").status_code == 404


def test_muting_takes_a_number_of_days(client, db):
    owner = UserFactory()
    client.force_login(owner)
    assert client.post("/actions/settings/", {"days": "abc"}).status_code == 400
    client.post("/actions/settings/", {"days": "7"})
    assert owner.action_settings.muted_until == timezone.localdate() + dt.timedelta(days=7)


# --- A team's actions ------------------------------------------------------------------


def test_the_delivery_owner_filters_the_teams_actions_and_downloads_csv(client, cast):
    today = timezone.localdate()
    late = ActionItemFactory(
        review=cast.review,
        owner=cast.participant,
        due_on=today - dt.timedelta(days=2),
        title="=HYPERLINK(evil)",
    )
    ActionItemFactory(
        review=cast.review,
        owner=cast.facilitator,
        due_on=today + dt.timedelta(days=9),
        title="Later one",
    )
    ActionItemFactory(title="Another team's action")
    client.force_login(cast.owner)
    page = client.get(f"/actions/team/{cast.team.slug}/").content.decode()
    assert "Later one" in page and "Another team&#x27;s action" not in page
    overdue = client.get(f"/actions/team/{cast.team.slug}/?overdue=on").content.decode()
    assert "Later one" not in overdue and "HYPERLINK" in overdue
    by_owner = client.get(
        f"/actions/team/{cast.team.slug}/?owner={cast.facilitator.pk}"
    ).content.decode()
    assert "Later one" in by_owner and "HYPERLINK" not in by_owner
    response = client.get(f"/actions/team/{cast.team.slug}/?overdue=on&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["id", "title", "owner"]
    assert rows[1][1] == "'=HYPERLINK(evil)" and rows[1][4] == "2"
    assert late.pk == int(rows[1][0]) and len(rows) == 2


# --- Re-surfacing ---------------------------------------------------------------------


def test_a_new_review_of_the_team_brings_back_its_overdue_actions(cast):
    today = timezone.localdate()
    overdue = ActionItemFactory(
        review=cast.review, owner=cast.participant, due_on=today - dt.timedelta(days=4)
    )
    ActionItemFactory(
        review=cast.review, owner=cast.participant, due_on=today + dt.timedelta(days=4)
    )
    ActionItemFactory(due_on=today - dt.timedelta(days=4))  # another team's
    later = review_create(
        team=cast.team, title="The next incident", kind="incident", created_by=cast.owner
    )
    assert list(later.resurfaced_actions.values_list("action_id", flat=True)) == [overdue.pk]


def test_re_committing_in_the_next_review_records_where_it_happened(client, cast):
    today = timezone.localdate()
    overdue = ActionItemFactory(
        review=cast.review, owner=cast.participant, due_on=today - dt.timedelta(days=4)
    )
    later = ReviewFactory(team=cast.team, facilitator=cast.facilitator, scribe=cast.scribe)
    item = ResurfacedAction.objects.create(review=later, action=overdue)
    client.force_login(cast.facilitator)
    new_date = (today + dt.timedelta(days=10)).isoformat()
    response = client.post(
        f"/actions/resurfaced/{item.pk}/",
        {"outcome": "recommitted", "due_on": new_date, "note": "Blocked on the DB upgrade"},
    )
    assert response.status_code == 302
    overdue.refresh_from_db()
    assert overdue.due_on.isoformat() == new_date
    event = ActionEvent.objects.get(action=overdue, kind="due_date")
    assert event.review == later and event.reason == "Blocked on the DB upgrade"
    item.refresh_from_db()
    assert item.outcome == "recommitted"


def test_closing_a_resurfaced_action_needs_its_verification(client, cast):
    overdue = ActionItemFactory(
        review=cast.review,
        owner=cast.participant,
        due_on=timezone.localdate() - dt.timedelta(days=4),
    )
    later = ReviewFactory(team=cast.team, facilitator=cast.facilitator, scribe=cast.scribe)
    item = ResurfacedAction.objects.create(review=later, action=overdue)
    client.force_login(cast.facilitator)
    client.post(f"/actions/resurfaced/{item.pk}/", {"outcome": "closed"})
    overdue.refresh_from_db()
    assert overdue.status == "open"
    client.post(
        f"/actions/resurfaced/{item.pk}/",
        {"outcome": "dropped", "note": "No longer relevant after the migration"},
    )
    overdue.refresh_from_db()
    assert (
        overdue.status == "wont_do"
        and overdue.closing_note == "No longer relevant after the migration"
    )


def test_an_earlier_action_is_decided_once_and_a_stale_page_is_told_so(client, cast):
    today = timezone.localdate()
    overdue = ActionItemFactory(
        review=cast.review, owner=cast.participant, due_on=today - dt.timedelta(days=4)
    )
    later = ReviewFactory(team=cast.team, facilitator=cast.facilitator, scribe=cast.scribe)
    item = ResurfacedAction.objects.create(review=later, action=overdue)
    version = later.version
    new_date = today + dt.timedelta(days=10)
    meeting = f"/reviews/{later.slug}/meeting/"
    client.force_login(cast.scribe)
    first = client.post(
        f"/actions/resurfaced/{item.pk}/",
        {"outcome": "recommitted", "due_on": new_date.isoformat(), "next": meeting},
    )
    assert first.status_code == 302 and first["Location"] == meeting
    later.refresh_from_db()
    assert later.version > version  # the others' meeting pages learn of it
    # The facilitator's page had not seen it: their "drop" changes nothing and says why.
    client.force_login(cast.facilitator)
    second = client.post(
        f"/actions/resurfaced/{item.pk}/",
        {"outcome": "dropped", "note": "Not worth it", "next": meeting},
        follow=True,
    )
    overdue.refresh_from_db()
    item.refresh_from_db()
    assert overdue.status == "open" and overdue.due_on == new_date
    assert item.outcome == "recommitted"
    page = second.content.decode()
    assert second.redirect_chain[-1][0] == meeting
    assert "decided already in this review: re-committed to" in page
    detail = client.get(f"/reviews/{later.slug}/").content.decode()
    assert f"Re-committed to {new_date:%-d %b %Y}" in detail


def test_the_history_reads_as_sentences(client, cast):
    """#15: "Omar Haddad became the owner", "Due date moved from 18 Dec to 23 Dec"."""
    from actions.services import action_edit, action_reassign, action_set_due, action_set_status

    omar = UserFactory(first_name="Omar", last_name="Haddad", email="omar@example.com")
    cast.team.members.add(omar)
    action = ActionItemFactory(
        review=cast.review,
        owner=cast.participant,
        due_on=dt.date(2026, 12, 18),
        action_type="other",
    )
    action = action_reassign(
        action=action, actor=cast.facilitator, version=action.version, owner=omar
    )
    action = action_set_due(
        action=action,
        actor=cast.facilitator,
        version=action.version,
        due_on=dt.date(2026, 12, 23),
        reason="Waiting for the vendor",
    )
    action = action_edit(
        action=action, actor=cast.facilitator, version=action.version, action_type="monitoring"
    )
    action_set_status(
        action=action,
        actor=omar,
        version=action.version,
        status="done",
        note="Alert fired in a drill",
    )
    client.force_login(cast.facilitator)
    page = client.get(f"/actions/{action.pk}/").content.decode()
    history = page.split("<h2>History</h2>")[1].split("</ol>")[0]
    assert "Omar Haddad became the owner" in history
    assert "Due date moved from 18 Dec 2026 to 23 Dec 2026: " in history
    assert "Waiting for the vendor" in history
    assert "changed the type to Monitoring" in history
    assert "Omar Haddad closed it as done" in history and "Alert fired in a drill" in history
    assert "→" not in history and "due_on" not in history


def test_the_meetings_followers_get_the_earlier_actions_in_the_action_items_phase(client, cast):
    """The fragments shared by a role are rendered without a request: the decision form's
    way back must not need one (it answered 500 to every follower after any change)."""
    from reviews.services.meeting import meeting_move, meeting_start

    overdue = ActionItemFactory(
        review=cast.review,
        owner=cast.participant,
        due_on=timezone.localdate() - dt.timedelta(days=4),
    )
    later = ReviewFactory(team=cast.team, facilitator=cast.facilitator, scribe=cast.scribe)
    ResurfacedAction.objects.create(review=later, action=overdue)
    meeting_start(review=later)
    for phase in list(later.agenda.order_by("position"))[:5]:
        meeting_move(review=later, phase_id=phase.pk, step=1)
    client.force_login(cast.scribe)
    page = client.get(f"/reviews/{later.slug}/meeting/").content.decode()
    token = page.split("/meeting/poll/?t=")[1].split('"')[0].replace("&amp;", "&")
    later.refresh_from_db()
    answer = client.get(f"/reviews/{later.slug}/meeting/poll/?t={token}&v=0")
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "Earlier actions still open" in html
    assert f'name="next" value="/reviews/{later.slug}/meeting/"' in html
