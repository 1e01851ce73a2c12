"""Running an organisation in the product: first-run setup, people (invite, deactivate),
teams (create, rename, archive), the organisation's defaults and a team's settings."""

from __future__ import annotations

import zoneinfo
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.text import slugify

from reviews import first_run
from reviews.auth import normalise_email
from reviews.display import display_name
from reviews.models import (
    DEFAULT_AGENDA,
    FacilitatorRota,
    InvitationLink,
    Notification,
    NotificationKind,
    Organisation,
    Team,
)
from reviews.notify import notification_queue
from reviews.services.people import user_for_email
from reviews.versions import team_changed

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class Refused(Exception):
    """A change the rules do not allow; the message says why, for the person."""


def _split_name(name: str) -> tuple[str, str]:
    first, _, last = name.strip().partition(" ")
    return first[:150], last.strip()[:150]


def team_slug_for(name: str) -> str:
    base = slugify(name)[:70] or "team"
    slug, n = base, 2
    while Team.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organisation_set_up(
    *, email: str, name: str, password: str, team_name: str, time_zone: str
) -> User:
    """The first administrator (staff and superuser) and the first team, which they own."""
    users = get_user_model()._default_manager
    if users.select_for_update().filter(is_staff=True).exists():
        raise Refused("This organisation is already set up.")
    email = normalise_email(email)
    first, last = _split_name(name)
    admin = users.filter(email__iexact=email).first() or users.model(username=email, email=email)
    admin.first_name, admin.last_name = first, last
    admin.is_staff = admin.is_superuser = admin.is_active = True
    admin.set_password(password)
    admin.save()
    organisation = Organisation.objects.current()
    organisation.time_zone = time_zone
    organisation.updated_at = timezone.now()
    organisation.save(update_fields=["time_zone", "updated_at"])
    team = Team.objects.create(
        name=team_name.strip(), slug=team_slug_for(team_name), delivery_owner=admin
    )
    team.members.add(admin)
    transaction.on_commit(first_run.mark_set_up)
    return admin


# --- People ----------------------------------------------------------------------------


def person_invite(*, email: str, name: str, team: Team | None, invited_by: User) -> User:
    """An account for this address (or the existing one, reactivated if it was not
    deactivated), added to `team`, and an email with a sign-in link (valid 30 days, once)."""
    email = normalise_email(email)
    with transaction.atomic():
        person = user_for_email(email, full_name=name)
        if not person.is_active:
            raise Refused(f"{email} was deactivated. Reactivate them instead of inviting again.")
        if team is not None:
            team.members.add(person)
        stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
        notification_queue(
            key=f"org-invite:{person.pk}:{stamp}",
            kind=NotificationKind.ORG_INVITE,
            email=person.email,
            recipient=person,
            payload={"invited_by": display_name(invited_by)},
        )
    return person


def _active_staff_other_than(person: User) -> bool:
    users = get_user_model()._default_manager
    return users.filter(is_staff=True, is_active=True).exclude(pk=person.pk).exists()


def sessions_end(*, user: Any) -> int:
    """Delete every stored session of this person (sessions live in the database)."""
    ended = []
    now = timezone.now()
    for session in Session.objects.filter(expire_date__gt=now).iterator():
        data = session.get_decoded()
        if str(data.get("_auth_user_id", "")) == str(user.pk):
            ended.append(session.pk)
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


@transaction.atomic
def person_deactivate(*, person: User, by: User) -> None:
    """The person can no longer sign in: inactive (which every sign-in path checks), their
    sessions ended, their invitation links deleted and their unsent sign-in emails dropped.
    Their reviews, accounts and actions stay as they were (history is kept)."""
    if person.is_staff and not _active_staff_other_than(person):
        raise Refused("This is the last active staff user; make someone else staff first.")
    if person.pk == by.pk:
        raise Refused("You cannot deactivate yourself; ask another staff user.")
    person.is_active = False
    person.save(update_fields=["is_active"])
    InvitationLink.objects.filter(participant__user=person).delete()
    Notification.objects.filter(
        recipient=person,
        kind__in=[NotificationKind.SIGN_IN_LINK, NotificationKind.ORG_INVITE],
        sent_at__isnull=True,
    ).delete()
    sessions_end(user=person)


def person_reactivate(*, person: User) -> None:
    person.is_active = True
    person.save(update_fields=["is_active"])


def person_set_staff(*, person: User, is_staff: bool, by: User) -> None:
    if not is_staff and person.is_staff and not _active_staff_other_than(person):
        raise Refused("This is the last active staff user; make someone else staff first.")
    person.is_staff = is_staff
    person.save(update_fields=["is_staff"])


# --- Teams -----------------------------------------------------------------------------


def team_create(*, name: str, delivery_owner: User | None) -> Team:
    team = Team.objects.create(
        name=name.strip(), slug=team_slug_for(name), delivery_owner=delivery_owner
    )
    if delivery_owner is not None:
        team.members.add(delivery_owner)
    return team


def team_rename(*, team: Team, name: str) -> None:
    team.name = name.strip()
    team.save(update_fields=["name"])


def team_archive(*, team: Team, archived: bool) -> None:
    team.archived_at = timezone.now() if archived else None
    team.save(update_fields=["archived_at"])


def organisation_update(
    *, time_zone: str, agenda_minutes: dict[str, int], reminder_hour: int
) -> Organisation:
    zoneinfo.ZoneInfo(time_zone)  # the form checked it; a bad name fails loudly here
    organisation = Organisation.objects.current()
    organisation.time_zone = time_zone
    organisation.agenda_minutes = agenda_minutes
    organisation.reminder_hour = reminder_hour
    organisation.updated_at = timezone.now()
    organisation.save(update_fields=["time_zone", "agenda_minutes", "reminder_hour", "updated_at"])
    return organisation


def agenda_minutes_for(team: Team | None) -> list[tuple[str, int]]:
    """The default agenda of a new review of this team: the team's minutes, else the
    organisation's, phase by phase in the method's order."""
    organisation = Organisation.objects.filter(pk=1).values_list("agenda_minutes", flat=True)
    org_minutes: dict[str, int] = organisation.first() or {}
    team_minutes: dict[str, int] = (team.agenda_minutes if team else None) or {}
    return [
        (str(phase), int(team_minutes.get(phase) or org_minutes.get(phase) or minutes))
        for phase, minutes in DEFAULT_AGENDA
    ]


# --- A team's settings -----------------------------------------------------------------


@transaction.atomic
def team_member_set(*, team: Team, person: User, role: str) -> None:
    """Add `person` to the team as a member, or as its delivery owner (the previous owner
    stays a member)."""
    team.members.add(person)
    if role == "delivery_owner" and team.delivery_owner_id != person.pk:
        team.delivery_owner = person
        team.save(update_fields=["delivery_owner"])
    elif role == "member" and team.delivery_owner_id == person.pk:
        team.delivery_owner = None
        team.save(update_fields=["delivery_owner"])


@transaction.atomic
def team_member_remove(*, team: Team, person: User) -> None:
    team.members.remove(person)
    FacilitatorRota.objects.filter(team=team, user=person).delete()
    if team.delivery_owner_id == person.pk:
        team.delivery_owner = None
        team.save(update_fields=["delivery_owner"])


def team_plan_update(
    *,
    team: Team,
    stakeholder_emails: list[str],
    review_triggers: str,
    trigger_kinds: list[str],
    trigger_severities: list[str],
    agenda_minutes: dict[str, int],
) -> None:
    team.stakeholder_emails = "\n".join(stakeholder_emails)
    team.review_triggers = review_triggers
    team.trigger_kinds = trigger_kinds
    team.trigger_severities = trigger_severities
    team.agenda_minutes = agenda_minutes
    team.save(
        update_fields=[
            "stakeholder_emails",
            "review_triggers",
            "trigger_kinds",
            "trigger_severities",
            "agenda_minutes",
        ]
    )
    team_changed(team.pk)  # the dashboard's waiting reviews follow the checklist at once


@transaction.atomic
def team_rota_set(*, team: Team, user_ids: list[int]) -> None:
    """The rota in this order (members only; the form checked)."""
    FacilitatorRota.objects.filter(team=team).delete()
    FacilitatorRota.objects.bulk_create(
        [FacilitatorRota(team=team, user_id=uid, position=i) for i, uid in enumerate(user_ids)]
    )


def team_next_facilitator(team: Team) -> Any:
    """Whoever on the rota has waited longest since facilitating a review of this team (never
    first, then the oldest; ties in the rota's order). None without a rota."""
    places = (
        FacilitatorRota.objects.filter(team=team)
        .select_related("user")
        .annotate(
            last=Max(
                "user__facilitated_reviews__created_at",
                filter=Q(user__facilitated_reviews__team=team),
            )
        )
        .order_by("position")
    )
    best = None
    for place in places:
        if not place.user.is_active:
            continue
        if (
            best is None
            or (place.last is None and best.last is not None)
            or (place.last is not None and best.last is not None and place.last < best.last)
        ):
            best = place
    return best.user if best else None


def stakeholders_test_email(*, team: Team, by: User) -> int:
    """A test message to every stakeholder address of the team (through the outbox)."""
    addresses = team.stakeholder_email_list()
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    for address in addresses:
        notification_queue(
            key=f"stakeholder-test:{team.pk}:{address}:{stamp}",
            kind=NotificationKind.STAKEHOLDER_TEST,
            email=address,
            recipient=None,
            payload={"team": team.name, "by": display_name(by)},
        )
    return len(addresses)
