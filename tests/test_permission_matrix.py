"""Every URL pattern has a row here: who may use it, with which method. A new view without a
row fails `test_every_url_pattern_has_a_row`.

Each row names the personas allowed per method. Everyone else signed in gets 404; an
anonymous person is sent to sign in (or gets 404 from a fragment); a method not listed is 405.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from actions.models import ActionItem, ResurfacedAction
from actions.services import calendar_token_renew
from api.models import Scope, Webhook, WebhookDelivery
from api.tokens import token_create
from reviews.models import (
    AgendaPhase,
    ReportExport,
    Review,
    Suggestion,
    TimelineEntry,
    TimelineImport,
    WhyNode,
)
from reviews.report import report_filename
from reviews.services.publish import export_dir
from tests.conftest import Cast
from tests.factories import ActionItemFactory, TimelineEntryFactory, WebhookFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _module_cast(django_db_setup, django_db_blocker):
    """One cast for the whole module, in a transaction rolled back at its end; each test runs
    in a savepoint inside it, so what a test changes is undone before the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        made = Cast()
        yield made
        transaction.set_rollback(True)


@pytest.fixture
def cast(_module_cast, db):
    _module_cast.review.refresh_from_db()  # a test may have changed it, in the database only
    return _module_cast


EVERYONE = {
    "facilitator",
    "scribe",
    "participant",
    "observer",
    "delivery_owner",
    "member",
    "staff",
    "outsider",
}
IN_REVIEW = EVERYONE - {"outsider"}
EDITORS = {"facilitator", "scribe"}
MANAGERS = {"facilitator", "delivery_owner", "staff"}
WRITERS = {"facilitator", "scribe", "participant"}
OWNERS = {"delivery_owner", "staff"}
PUBLIC = "public"  # no sign-in needed
STAFF = {"staff"}

# url name: {method: personas allowed}
MATRIX: dict[str, dict[str, object]] = {
    "healthz": {"GET": PUBLIC},
    # Set up already (a staff user exists): gone for everyone.
    "setup": {"GET": set(), "POST": set()},
    "favicon": {"GET": PUBLIC},
    "login": {"GET": PUBLIC, "POST": PUBLIC},
    "logout": {"POST": EVERYONE},
    "link_request": {"GET": PUBLIC, "POST": PUBLIC},
    # Single sign-on is off here: 404 (tests/reviews/test_sso.py runs it against a provider).
    "oidc_start": {"GET": set()},
    "oidc_callback": {"GET": set()},
    "link_open": {"GET": PUBLIC, "POST": PUBLIC},
    "admin_sign_in": {"GET": PUBLIC, "POST": PUBLIC},
    "dashboard": {"GET": OWNERS},
    # Organisation settings (the person is the participant; the team is the cast's).
    "org:people": {"GET": STAFF, "POST": STAFF},
    "org:person": {"GET": STAFF},
    "org:deactivate": {"POST": STAFF},
    "org:reactivate": {"POST": STAFF},
    "org:staff": {"POST": STAFF},
    "org:reassign": {"POST": STAFF},
    "org:teams": {"GET": STAFF, "POST": STAFF},
    "org:team_rename": {"POST": STAFF},
    "org:team_archive": {"POST": STAFF},
    "org:defaults": {"GET": STAFF, "POST": STAFF},
    # Team settings: the team's delivery owner and staff (another team's owner: tests/reviews).
    "teams:list": {"GET": OWNERS},
    "teams:settings": {"GET": OWNERS, "POST": OWNERS},
    "teams:member_add": {"POST": OWNERS},
    "teams:member_role": {"POST": OWNERS},
    "teams:member_remove": {"POST": OWNERS},
    "teams:stakeholders_test": {"POST": OWNERS},
    "teams:rota": {"POST": OWNERS},
    # Hints compute from what is posted; a review named in the post must be visible (tested apart).
    "hints": {"POST": EVERYONE},
    "hints_dismiss": {"POST": EVERYONE},
    "actions:mine": {"GET": EVERYONE},
    "actions:settings": {"GET": EVERYONE, "POST": EVERYONE},
    "actions:feed": {"GET": PUBLIC},  # the secret address is the key
    "actions:team": {"GET": OWNERS},
    "actions:owned": {"GET": OWNERS},
    # An action owned by the participant.
    "actions:detail": {"GET": IN_REVIEW},
    "actions:status": {"POST": {"participant", "facilitator", "scribe", "delivery_owner"}},
    "actions:due": {"POST": {"participant", "facilitator", "scribe", "delivery_owner"}},
    "actions:owner": {"POST": {"participant", "facilitator", "scribe", "delivery_owner"}},
    "actions:edit": {"POST": {"participant", "facilitator", "scribe", "delivery_owner"}},
    "actions:resurfaced": {"POST": {"facilitator", "scribe", "delivery_owner"}},
    "reviews:list": {"GET": EVERYONE},
    "reviews:new": {
        "GET": IN_REVIEW - {"facilitator", "scribe", "participant", "observer"},
        "POST": {"delivery_owner", "member", "staff"},
    },
    "reviews:detail": {"GET": IN_REVIEW},
    "reviews:edit": {"GET": MANAGERS, "POST": MANAGERS},
    "reviews:cancel": {"POST": MANAGERS},
    "reviews:people": {"GET": MANAGERS, "POST": MANAGERS},
    "reviews:participant_role": {"POST": MANAGERS},
    "reviews:participant_remove": {"POST": MANAGERS},
    "reviews:invite": {"POST": MANAGERS},
    "reviews:lead_allow_sealed": {"POST": {"facilitator"}},
    "reviews:account": {"GET": WRITERS},
    "reviews:account_save": {"POST": WRITERS},
    "reviews:accounts": {"GET": IN_REVIEW},
    # The other participant's sealed account: its author, the facilitator and the scribe.
    "reviews:account_detail": {"GET": EDITORS},
    "reviews:account_promote": {"POST": EDITORS},
    "reviews:account_withhold": {"POST": {"facilitator"}},
    "reviews:account_remind": {"POST": EDITORS},
    "reviews:timeline": {"GET": IN_REVIEW},
    "reviews:timeline_add": {"POST": EDITORS},
    "reviews:timeline_edit": {"GET": EDITORS, "POST": EDITORS},
    "reviews:timeline_delete": {"POST": EDITORS},
    "reviews:timeline_import": {"GET": EDITORS, "POST": EDITORS},
    "reviews:timeline_import_preview": {"GET": EDITORS, "POST": EDITORS},
    # The meeting (the review is in its meeting for these rows).
    "reviews:meeting": {"GET": IN_REVIEW},
    "reviews:poll": {"GET": IN_REVIEW},
    "reviews:stream": {"GET": IN_REVIEW},
    "reviews:presenter": {"GET": IN_REVIEW},
    "reviews:agenda": {"POST": {"facilitator"}},
    "reviews:control_start": {"POST": {"facilitator"}},
    "reviews:control_pause": {"POST": {"facilitator"}},
    "reviews:control_resume": {"POST": {"facilitator"}},
    "reviews:control_extend": {"POST": {"facilitator"}},
    "reviews:control_next": {"POST": {"facilitator"}},
    "reviews:control_previous": {"POST": {"facilitator"}},
    "reviews:control_reveal": {"POST": {"facilitator"}},
    "reviews:control_end": {"POST": {"facilitator"}},
    "reviews:control_take": {"POST": {"facilitator"}},
    "reviews:control_ready_ask": {"POST": {"facilitator"}},
    "reviews:control_ready_close": {"POST": {"facilitator"}},
    "reviews:control_hand_lower": {"POST": {"facilitator"}},
    "reviews:control_hand_over": {"POST": {"facilitator"}},
    "reviews:room_hand": {"POST": WRITERS},
    "reviews:room_ready": {"POST": WRITERS},
    "reviews:room_here": {"POST": IN_REVIEW},
    "reviews:method": {"POST": {"facilitator"}},
    "reviews:summary": {"POST": EDITORS},
    "reviews:finding_add": {"POST": EDITORS},
    "reviews:finding_edit": {"POST": EDITORS},
    "reviews:finding_delete": {"POST": EDITORS},
    "reviews:meeting_undo": {"POST": EDITORS},
    "reviews:meeting_entry_edit": {"GET": EDITORS, "POST": EDITORS},
    "reviews:meeting_entry_delete": {"POST": EDITORS},
    "reviews:meeting_action_edit": {"GET": EDITORS, "POST": EDITORS},
    "reviews:meeting_action_delete": {"POST": EDITORS},
    "reviews:meeting_entry": {"POST": EDITORS},
    "reviews:entry_dispute": {"POST": WRITERS},
    "reviews:entry_resolve": {"POST": EDITORS},
    "reviews:meeting_action": {"POST": EDITORS},
    "reviews:suggest": {"POST": WRITERS},
    "reviews:suggestion_decide": {"POST": EDITORS},
    "reviews:notes": {"POST": {"facilitator"}},
    "reviews:publish": {
        "GET": {"facilitator", "delivery_owner"},
        "POST": {"facilitator", "delivery_owner"},
    },
    "reviews:exports_retry": {"POST": MANAGERS},
    # The published report (the review is published for these rows).
    "reports:detail": {"GET": IN_REVIEW},
    "reports:external": {"GET": IN_REVIEW},
    "reports:archive": {"GET": EVERYONE},
    "reviews:pr_sections": {"GET": EDITORS, "POST": EDITORS},
    "reports:download": {"GET": IN_REVIEW},
    # The person's API tokens (the token revoked is the participant's).
    "tokens:new": {"GET": EVERYONE, "POST": EVERYONE},
    "tokens:revoke": {"POST": {"participant"}},
    "api_docs": {"GET": EVERYONE},
    # A team's webhooks: its delivery owner and staff.
    "webhooks:list": {"GET": OWNERS, "POST": OWNERS},
    "webhooks:detail": {"GET": OWNERS, "POST": OWNERS},
    "webhooks:resend": {"POST": OWNERS},
    "api:openapi-json": {"GET": PUBLIC},
    "api:api-root": {"GET": set(), "POST": set()},  # ninja's root: 404 for everyone
    # The API, with a token (write scope) instead of a session: see API_MATRIX.
    **{
        name: {}
        for name in (
            "api:me",
            "api:reviews",
            "api:review",
            "api:timeline",
            "api:actions",
            "api:action",
            "api:webhooks",
            "api:webhook",
            # ninja names each operation of a route: these are the routes named above.
            "api:review_new",
            "api:timeline_add",
            "api:action_update",
            "api:webhook_add",
        )
    },
}
API_ALIASES = {"api:review_new", "api:timeline_add", "api:action_update", "api:webhook_add"}

# url name: {method: (personas allowed, what the others get)}. No token: 401. Another
# method: 405. The request bodies are valid ones (api_body).
API_MATRIX: dict[str, dict[str, tuple[set[str], int]]] = {
    "api:me": {"GET": (EVERYONE, 404)},
    "api:reviews": {
        "GET": (EVERYONE, 404),  # each sees their own list
        # The team is named in the body: someone outside it is told which field is wrong.
        "POST": ({"delivery_owner", "member", "staff"}, 400),
    },
    "api:review": {"GET": (IN_REVIEW, 404)},
    "api:timeline": {"GET": (IN_REVIEW, 404), "POST": (EDITORS, 404)},
    "api:actions": {"GET": (EVERYONE, 404)},
    "api:action": {
        "GET": (IN_REVIEW, 404),
        "PATCH": ({"participant", "facilitator", "scribe", "delivery_owner"}, 404),
    },
    "api:webhooks": {"GET": (OWNERS, 404), "POST": (OWNERS, 404)},
    "api:webhook": {"DELETE": (OWNERS, 404)},
}

# Staff are not team members: they reach the team's reviews only where MATRIX says so. Staff
# see every review (they administer the instance), so IN_REVIEW includes them.


def all_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin" or str(pattern.pattern).startswith("admin/"):
                    continue
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(namespace + pattern.name)

    walk(get_resolver().url_patterns)
    return names


def test_the_api_aliases_are_the_routes_named_in_the_api_matrix():
    for alias, primary, kwargs in (
        ("api:review_new", "api:reviews", {}),
        ("api:timeline_add", "api:timeline", {"slug": "s"}),
        ("api:action_update", "api:action", {"action_id": 1}),
        ("api:webhook_add", "api:webhooks", {"team": "t"}),
    ):
        assert reverse(alias, kwargs=kwargs) == reverse(primary, kwargs=kwargs)


def test_every_url_pattern_has_a_row():
    missing = all_url_names() - set(MATRIX)
    assert not missing, f"URL patterns without a row in the permission matrix: {sorted(missing)}"
    assert not set(MATRIX) - all_url_names(), "rows for URLs that no longer exist"


def url_for(name: str, cast) -> str:
    slug = cast.review.slug
    entry = TimelineEntry.objects.filter(review=cast.review).first() or TimelineEntryFactory(
        review=cast.review
    )
    pending = TimelineImport.objects.create(
        review=cast.review,
        file_format="csv",
        filename="t.csv",
        created_by=cast.facilitator,
    )
    action = ActionItem.objects.filter(review=cast.review).first() or ActionItemFactory(
        review=cast.review, owner=cast.participant
    )
    earlier = ActionItemFactory(
        review__team=cast.team,
        owner=cast.other_row.user,
        due_on=timezone.localdate() - dt.timedelta(days=3),
    )
    resurfaced, _ = ResurfacedAction.objects.get_or_create(review=cast.review, action=earlier)
    if name.startswith("reviews:") and name in MEETING_URLS:
        Review.objects.filter(pk=cast.review.pk).update(status="in_meeting")
        cast.review.refresh_from_db()
        first = cast.review.agenda.order_by("position").first()
        AgendaPhase.objects.filter(pk=first.pk).update(
            started_at=timezone.now(), segment_started_at=timezone.now()
        )
    if name == "reviews:pr_sections":
        Review.objects.filter(pk=cast.review.pk).update(kind="pull_request")
    if name == "reports:external":
        Review.objects.filter(pk=cast.review.pk).update(severity="sev1")
    if name in (
        "reports:detail",
        "reports:download",
        "reviews:publish",
        "reports:external",
        "reviews:exports_retry",
    ):
        Review.objects.filter(pk=cast.review.pk).update(
            status="published" if name != "reviews:publish" else "writing",
            report_version=1,
            published_at=timezone.now(),
        )
        cast.review.refresh_from_db()
        folder = export_dir(cast.review, 1)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / report_filename(cast.review, "md")).write_text("# AAR\n")
        ReportExport.objects.get_or_create(
            review=cast.review, report_version=1, file_format="md", defaults={"status": "done"}
        )
    why = WhyNode.objects.filter(review=cast.review).first() or WhyNode.objects.create(
        review=cast.review, text="Why?"
    )
    suggestion = Suggestion.objects.filter(review=cast.review).first() or Suggestion.objects.create(
        review=cast.review, author=cast.participant, kind="went_well", text="Paging worked"
    )
    token_row, _ = token_create(user=cast.participant, name="matrix")
    hook = Webhook.objects.filter(team=cast.team).first() or WebhookFactory(team=cast.team)
    delivery, _ = WebhookDelivery.objects.get_or_create(
        webhook=hook, key="matrix", defaults={"delivery_id": uuid.uuid4(), "event": "action.closed"}
    )
    kwargs = {
        "webhooks:list": {"slug": cast.team.slug},
        "webhooks:detail": {"slug": cast.team.slug, "pk": hook.pk},
        "webhooks:resend": {"slug": cast.team.slug, "pk": hook.pk, "delivery": delivery.pk},
        "tokens:revoke": {"pk": token_row.pk},
        "api:review": {"slug": slug},
        "api:timeline": {"slug": slug},
        "api:action": {"action_id": action.pk},
        "api:webhooks": {"team": cast.team.slug},
        "api:webhook": {"team": cast.team.slug, "webhook_id": hook.pk},
        "reviews:finding_edit": {"slug": slug, "kind": "why", "pk": why.pk},
        "reviews:finding_delete": {"slug": slug, "kind": "why", "pk": why.pk},
        "reviews:finding_add": {"slug": slug, "kind": "went_well"},
        "reviews:entry_dispute": {"slug": slug, "pk": entry.pk},
        "reviews:meeting_entry_edit": {"slug": slug, "pk": entry.pk},
        "reviews:meeting_entry_delete": {"slug": slug, "pk": entry.pk},
        "reviews:meeting_action_edit": {"slug": slug, "pk": action.pk},
        "reviews:meeting_action_delete": {"slug": slug, "pk": action.pk},
        "reviews:entry_resolve": {"slug": slug, "pk": entry.pk},
        "reviews:suggestion_decide": {"slug": slug, "pk": suggestion.pk},
        "reports:detail": {"slug": slug},
        "reports:external": {"slug": slug},
        "reports:download": {"slug": slug, "file_format": "md"},
        "actions:detail": {"pk": action.pk},
        "actions:status": {"pk": action.pk},
        "actions:due": {"pk": action.pk},
        "actions:owner": {"pk": action.pk},
        "actions:edit": {"pk": action.pk},
        "actions:team": {"slug": cast.team.slug},
        "org:person": {"pk": cast.participant.pk},
        "org:deactivate": {"pk": cast.participant.pk},
        "org:reactivate": {"pk": cast.participant.pk},
        "org:staff": {"pk": cast.participant.pk},
        "org:reassign": {"pk": cast.participant.pk},
        "org:team_rename": {"slug": cast.team.slug},
        "teams:settings": {"slug": cast.team.slug},
        "teams:member_add": {"slug": cast.team.slug},
        "teams:member_role": {"slug": cast.team.slug, "pk": cast.member.pk},
        "teams:member_remove": {"slug": cast.team.slug, "pk": cast.member.pk},
        "teams:stakeholders_test": {"slug": cast.team.slug},
        "teams:rota": {"slug": cast.team.slug},
        "org:team_archive": {"slug": cast.team.slug},
        "actions:feed": {"token": calendar_token_renew(user=cast.participant)},
        "actions:resurfaced": {"pk": resurfaced.pk},
        "reviews:participant_role": {"slug": slug, "pk": cast.other_row.pk},
        "reviews:participant_remove": {"slug": slug, "pk": cast.other_row.pk},
        "reviews:lead_allow_sealed": {"slug": slug, "pk": cast.other_row.pk},
        "reviews:account_detail": {"slug": slug, "pk": cast.other_row.pk},
        "reviews:account_promote": {"slug": slug, "pk": cast.other_row.pk},
        "reviews:account_withhold": {"slug": slug, "pk": cast.other_row.pk},
        "reviews:account_remind": {"slug": slug, "pk": cast.other_row.pk},
        "reviews:timeline_edit": {"slug": slug, "pk": entry.pk},
        "reviews:timeline_delete": {"slug": slug, "pk": entry.pk},
        "reviews:timeline_import_preview": {"slug": slug, "pk": pending.pk},
    }.get(name)
    if (
        kwargs is None
        and name.startswith("reviews:")
        and name not in ("reviews:list", "reviews:new")
    ):
        kwargs = {"slug": slug}
    return reverse(name, kwargs=kwargs)


PERSONAS = ["anonymous", *sorted(EVERYONE)]
MEETING_URLS = {
    name
    for name in MATRIX
    if name.startswith("reviews:")
    and name
    not in {
        "reviews:list",
        "reviews:new",
        "reviews:detail",
        "reviews:edit",
        "reviews:cancel",
        "reviews:people",
        "reviews:participant_role",
        "reviews:participant_remove",
        "reviews:lead_allow_sealed",
        "reviews:invite",
        "reviews:account",
        "reviews:account_save",
        "reviews:accounts",
        "reviews:account_detail",
        "reviews:account_promote",
        "reviews:account_withhold",
        "reviews:account_remind",
        "reviews:timeline",
        "reviews:timeline_add",
        "reviews:timeline_edit",
        "reviews:timeline_delete",
        "reviews:timeline_import",
        "reviews:timeline_import_preview",
        "reviews:agenda",
    }
}


@pytest.mark.parametrize("name", sorted(set(MATRIX) - set(API_MATRIX) - API_ALIASES))
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_matrix_holds(client, cast, name, method):
    allowed = MATRIX[name].get(method)
    url = url_for(name, cast)
    failures = []
    for persona in PERSONAS:
        with transaction.atomic():
            client.logout()
            if persona != "anonymous":
                client.force_login(cast.people()[persona])
            response = client.get(url) if method == "GET" else client.post(url, {})
            status = response.status_code
            if allowed is None:
                # A method the view does not take; anonymous people may be sent to sign in first.
                expected_ok = status == 405 or (persona == "anonymous" and status == 302)
            elif allowed == PUBLIC:
                expected_ok = status < 500 and status not in (403, 404, 405)
            elif persona == "anonymous":
                expected_ok = status in (302, 404) and (
                    status == 404 or "/accounts/login/" in response.url
                )
            elif persona in allowed:
                expected_ok = status < 500 and status not in (403, 404, 405)
            else:
                expected_ok = status == 404
            if not expected_ok:
                failures.append(f"{persona}: {method} {url} -> {status}")
            transaction.set_rollback(True)
    assert not failures, "\n".join(failures)


def api_body(name: str, method: str, cast) -> object:
    if (name, method) == ("api:reviews", "POST"):
        return {"team": cast.team.slug, "title": "Opened by the matrix"}
    if (name, method) == ("api:timeline", "POST"):
        return {"entries": [{"occurred_at": "2026-11-30T09:00:00Z", "description": "Paged"}]}
    if (name, method) == ("api:action", "PATCH"):
        return {"status": "in_progress"}
    if (name, method) == ("api:webhooks", "POST"):
        return {"url": "http://127.0.0.1:9/aar", "events": ["action.closed"]}
    return None


@pytest.mark.parametrize("name", sorted(API_MATRIX))
@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "DELETE"])
def test_the_api_matrix_holds(client, cast, settings, name, method):
    settings.WEBHOOK_ALLOW_PRIVATE = True  # the webhook posted goes to 127.0.0.1
    row = API_MATRIX[name].get(method)
    url = url_for(name, cast)
    body = api_body(name, method, cast)
    failures = []
    for persona in PERSONAS:
        with transaction.atomic():
            headers = {}
            if persona != "anonymous":
                _, token = token_create(user=cast.people()[persona], name="m", scope=Scope.WRITE)
                headers["Authorization"] = f"Bearer {token}"
            send = getattr(client, method.lower())
            if body is None:
                response = send(url, headers=headers)
            else:
                response = send(
                    url, data=json.dumps(body), content_type="application/json", headers=headers
                )
            status = response.status_code
            if row is None:
                expected_ok = status == 405
            elif persona == "anonymous":
                expected_ok = status == 401
            elif persona in row[0]:
                expected_ok = 200 <= status < 300
            else:
                expected_ok = status == row[1]
            if not expected_ok:
                failures.append(f"{persona}: {method} {url} -> {status} {response.content[:200]!r}")
            transaction.set_rollback(True)
    assert not failures, "\n".join(failures)
