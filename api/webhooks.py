"""Outgoing webhooks: a delivery row per change and receiver, sent signed until a 2xx.

A change announced by a service (reviews.events) becomes, in the same transaction, one
WebhookDelivery per active webhook of the team that wants the event; a worker claims it with
a conditional update and POSTs it. A 2xx is final; a timeout, a refused connection, a 5xx,
408 or 429 is tried again with exponential backoff (the sweeper sends what is due) for a
day; any other answer, or an address AAR may not call, ends it. Each request:

    POST <url>
    Content-Type: application/json
    X-AAR-Event: action.closed
    X-AAR-Delivery: <uuid, the same on every attempt>
    X-AAR-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>

The address is resolved once per attempt and the connection made to the address checked:
loopback, private, link-local and other non-public addresses are refused unless
WEBHOOK_ALLOW_PRIVATE=1.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import threading
import time
import uuid
from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from aar_project.tasks import enqueue_on_commit
from actions.models import ActionItem
from actions.reminders import iso_week
from api import chat
from api.models import Webhook, WebhookDelivery
from api.schemas import ActionOut, ReviewOut
from api.serialize import Links, action_out, review_out, site_url
from reviews.events import Event
from reviews.models import BEFORE_MEETING, Review, Team

logger = logging.getLogger(__name__)

RETRY_FOR = dt.timedelta(days=1)
FIRST_RETRY_SECONDS = 30
LONGEST_WAIT_SECONDS = 3600
CLAIM_SECONDS = 60
MAX_ANSWER_BYTES = 64 * 1024
RETRY_STATUSES = {408, 429}


class AddressRefused(Exception):
    """The URL is not one AAR may call (its scheme, or an address that is not public)."""


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def webhook_create(*, team: Team, actor: Any, kind: str, url: str, events: list[str]) -> Webhook:
    """A team's new receiver (from its page or the API), with a secret of its own."""
    return Webhook.objects.create(
        team=team, kind=kind, url=url, events=sorted(events), secret=new_secret(), created_by=actor
    )


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


# --- Recording deliveries ---------------------------------------------------------------------


def event_payload(subject: object) -> dict[str, Any]:
    if isinstance(subject, ActionItem):
        action = ActionItem.objects.select_related("owner", "review", "team").get(pk=subject.pk)
        data = ActionOut.model_validate(action_out(action, timezone.localdate(), Links(site_url)))
        return {"action": data.model_dump(mode="json")}
    if isinstance(subject, Review):
        review = Review.objects.select_related("team", "facilitator").get(pk=subject.pk)
        return {
            "review": ReviewOut.model_validate(review_out(review, Links(site_url))).model_dump(
                mode="json"
            )
        }
    if isinstance(subject, Team):
        return {"digest": digest_of(subject, timezone.localdate())}
    raise TypeError(f"no payload for {type(subject).__name__}")


def digest_of(team: Team, today: dt.date) -> dict[str, Any]:
    """The team's overdue actions, longest overdue first: how many, the first ten, the list's URL."""
    overdue = ActionItem.objects.overdue(today).filter(team=team)
    first = overdue.select_related("owner", "review", "team").order_by("due_on", "pk")[:10]
    links = Links(site_url)
    return {
        "team": team.name,
        "overdue": overdue.count(),
        "actions": [
            ActionOut.model_validate(action_out(a, today, links)).model_dump(mode="json")
            for a in first
        ],
        "url": site_url(reverse("actions:team", args=[team.slug]) + "?overdue=on"),
    }


def deliveries_record(
    *, event: str, team_id: int, key: str, subject: object, webhooks: list[Webhook] | None = None
) -> list[WebhookDelivery]:
    """One delivery per webhook of the team that wants `event`; none where `key` was recorded
    before. Enqueued after the commit."""
    wanted = [
        w
        for w in (
            webhooks
            if webhooks is not None
            else Webhook.objects.filter(team_id=team_id, active=True)
        )
        if w.wants(event)
    ]
    existing = set(
        WebhookDelivery.objects.filter(webhook__in=wanted, key=key[:200]).values_list(
            "webhook_id", flat=True
        )
    )
    wanted = [w for w in wanted if w.pk not in existing]
    if not wanted:  # recorded before: the payload is not even made
        return []
    payload = event_payload(subject)
    new = [
        WebhookDelivery(
            webhook=w, key=key[:200], delivery_id=uuid.uuid4(), event=event, payload=payload
        )
        for w in wanted
    ]
    WebhookDelivery.objects.bulk_create(new, ignore_conflicts=True)
    # A row another transaction wrote a moment ago was skipped by the unique (webhook, key).
    made = dict(
        WebhookDelivery.objects.filter(
            delivery_id__in=[row.delivery_id for row in new]
        ).values_list("delivery_id", "pk")
    )
    for pk in made.values():
        enqueue_on_commit("api.tasks.deliver_webhook", pk)
    return [row for row in new if row.delivery_id in made]


def on_event(
    sender: object, *, event: str, team_id: int, key: str, subject: object, **_: Any
) -> None:
    """The receiver of reviews.events.happened. The payload is the API's own answer for the
    review or action (the same schema), as it is once the change is made."""
    deliveries_record(event=event, team_id=team_id, key=key, subject=subject)


def delivery_resend(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """The same event again, as a new delivery (a new id), sent now."""
    copy = WebhookDelivery.objects.create(
        webhook=delivery.webhook,
        key=f"resend:{uuid.uuid4().hex}"[:200],
        delivery_id=uuid.uuid4(),
        event=delivery.event,
        payload=delivery.payload,
    )
    enqueue_on_commit("api.tasks.deliver_webhook", copy.pk)
    return copy


# --- Scheduled events (beat): each recorded once per key, whatever runs it twice ----------


def _hooks_wanting(event: Event) -> dict[int, list[Webhook]]:
    """The active webhooks that want `event`, by team."""
    by_team: dict[int, list[Webhook]] = defaultdict(list)
    for hook in Webhook.objects.filter(active=True):
        if hook.wants(event):
            by_team[hook.team_id].append(hook)
    return by_team


def _scheduled(event: Event, hooks: list[Webhook], key: str, subject: object) -> int:
    with transaction.atomic():
        made = deliveries_record(
            event=event, team_id=hooks[0].team_id, key=key, subject=subject, webhooks=hooks
        )
    return len(made)


def overdue_record(today: dt.date | None = None) -> int:
    """action.overdue for the open actions past their due date, once per action and due date,
    for the teams with a webhook that wants it (beat runs it daily)."""
    today = today or timezone.localdate()
    made = 0
    for team_id, hooks in _hooks_wanting(Event.ACTION_OVERDUE).items():
        # What earlier days recorded, read once: a rerun costs a query per team, not per action.
        told = set(
            WebhookDelivery.objects.filter(
                webhook__in=hooks, key__startswith=f"{Event.ACTION_OVERDUE}:"
            ).values_list("webhook_id", "key")
        )
        for action in ActionItem.objects.overdue(today).filter(team_id=team_id).order_by("pk"):
            key = f"{Event.ACTION_OVERDUE}:{action.pk}:{action.due_on}"
            waiting = [hook for hook in hooks if (hook.pk, key) not in told]
            if waiting:
                made += _scheduled(Event.ACTION_OVERDUE, waiting, key, action)
    return made


def accounts_due_record(today: dt.date | None = None) -> int:
    """review.accounts_due for the reviews still being prepared whose written accounts are
    due tomorrow, once per review and due date (beat runs it daily)."""
    today = today or timezone.localdate()
    by_team = _hooks_wanting(Event.ACCOUNTS_DUE)
    made = 0
    for review in Review.objects.filter(
        team_id__in=by_team, status__in=BEFORE_MEETING, accounts_due_at__isnull=False
    ).order_by("pk"):
        due = timezone.localtime(review.accounts_due_at).date()
        if due == today + dt.timedelta(days=1):
            key = f"{Event.ACCOUNTS_DUE}:{review.pk}:{due}"
            made += _scheduled(Event.ACCOUNTS_DUE, by_team[review.team_id], key, review)
    return made


def digests_record(today: dt.date | None = None) -> int:
    """actions.digest, once a week, for each team with a receiver that wants it and overdue
    actions to tell of (beat runs it on Mondays)."""
    today = today or timezone.localdate()
    made = 0
    for team_id, hooks in sorted(_hooks_wanting(Event.OVERDUE_DIGEST).items()):
        if ActionItem.objects.overdue(today).filter(team_id=team_id).exists():
            key = f"{Event.OVERDUE_DIGEST}:{team_id}:{iso_week(today)}"
            made += _scheduled(Event.OVERDUE_DIGEST, hooks, key, hooks[0].team)
    return made


# --- Sending ----------------------------------------------------------------------------------


def checked_address(url: str) -> tuple[str, int, str]:
    """(host, port, the address to connect to) for `url`, or AddressRefused."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressRefused("Only http:// and https:// addresses can receive webhooks.")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise AddressRefused(f"{parts.hostname} cannot be resolved ({exc}).") from exc
    addresses = [str(info[4][0]) for info in found]
    if not settings.WEBHOOK_ALLOW_PRIVATE:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            if not ip.is_global or ip.is_multicast:
                raise AddressRefused(
                    f"{parts.hostname} resolves to {address}, which is not a public address."
                )
    return parts.hostname, port, addresses[0]


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to an address already checked, with the certificate checked for the host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST and return the status; OSError (timeouts included) or HTTPException on failure."""
    host, port, address = checked_address(url)
    parts = urlsplit(url)
    timeout = settings.WEBHOOK_TIMEOUT
    connection: http.client.HTTPConnection = (
        _PinnedHTTPS(host, port, address, timeout)
        if parts.scheme == "https"
        else http.client.HTTPConnection(address, port, timeout=timeout)
    )
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    # The timeout bounds each wait on the socket; a receiver that trickles its answer a byte
    # at a time would pass every one of them. The whole exchange gets two timeouts at most:
    # then the socket is shut, which ends the read in progress.
    cut = threading.Event()
    deadline = threading.Timer(2 * timeout, _shut, args=(connection, cut))
    deadline.daemon = True
    deadline.start()
    try:
        connection.request(
            "POST", target, body=body, headers={**headers, "Host": parts.netloc.rsplit("@", 1)[-1]}
        )
        answer = connection.getresponse()
        answer.read(MAX_ANSWER_BYTES)
    finally:
        deadline.cancel()
        connection.close()
    if cut.is_set():  # what was read before the cut is no answer
        raise TimeoutError(f"The receiver did not answer within {2 * timeout:g} s.")
    return answer.status


def _shut(connection: http.client.HTTPConnection, cut: threading.Event) -> None:
    cut.set()
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _claim(delivery_id: int, now: dt.datetime) -> bool:
    return bool(
        WebhookDelivery.objects.due(now)
        .filter(pk=delivery_id)
        .update(claimed_until=now + dt.timedelta(seconds=CLAIM_SECONDS), attempts=F("attempts") + 1)
    )


def body_of(delivery: WebhookDelivery) -> bytes:
    document = {
        "id": str(delivery.delivery_id),
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(
        seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), LONGEST_WAIT_SECONDS)
    )


def webhook_deliver(delivery_id: int) -> str:
    """One attempt: "delivered", "retry", "failed", or "skipped" when it is not due or is
    held by another worker (or was delivered already: never twice after a 2xx)."""
    now = timezone.now()
    if not _claim(delivery_id, now):
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
    webhook = delivery.webhook
    done: dict[str, Any] = {"claimed_until": None, "last_attempt_at": now}
    if not webhook.active:
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            **done, gave_up_at=now, last_error="The webhook is switched off."
        )
        return "failed"
    headers = {"Content-Type": "application/json", "User-Agent": "AAR-Webhooks/1"}
    if webhook.is_chat:  # the tool's own message; the address itself is its secret
        body = json.dumps(chat.body(webhook.kind, delivery.event, delivery.payload)).encode()
    else:
        body = body_of(delivery)
        headers |= {
            "X-AAR-Event": delivery.event,
            "X-AAR-Delivery": str(delivery.delivery_id),
            "X-AAR-Signature": signature(webhook.secret, int(time.time()), body),
        }
    status: int | None = None
    try:
        status = post(webhook.url, body, headers)
    except AddressRefused as exc:
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            **done, gave_up_at=timezone.now(), last_status=None, last_error=str(exc)
        )
        return "failed"
    except (OSError, http.client.HTTPException) as exc:
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    else:
        if 200 <= status < 300:
            WebhookDelivery.objects.filter(pk=delivery_id).update(
                **done, delivered_at=timezone.now(), last_status=status, last_error=""
            )
            return "delivered"
        error = f"The receiver answered {status}."
        if status < 500 and status not in RETRY_STATUSES:
            WebhookDelivery.objects.filter(pk=delivery_id).update(
                **done, gave_up_at=timezone.now(), last_status=status, last_error=error
            )
            return "failed"
    later = timezone.now() + backoff(delivery.attempts)
    if later - delivery.created_at > RETRY_FOR:
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            **done,
            gave_up_at=timezone.now(),
            last_status=status,
            last_error=error + " Gave up after a day.",
        )
        logger.warning(
            "gave up on webhook delivery %s after %s attempts",
            delivery.delivery_id,
            delivery.attempts,
        )
        return "failed"
    WebhookDelivery.objects.filter(pk=delivery_id).update(
        **done, next_attempt_at=later, last_status=status, last_error=error
    )
    return "retry"


def deliveries_due_ids(limit: int = 500) -> list[int]:
    return list(
        WebhookDelivery.objects.due(timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
