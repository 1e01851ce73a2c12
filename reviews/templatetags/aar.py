from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from reviews.access import ReviewAccess
from reviews.display import display_name, format_offset
from reviews.markdown import render_markdown
from reviews.models import Account
from reviews.services.room import moderated

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3


@register.filter
def as_read_by(account: Account, access: ReviewAccess) -> str:
    """An account's text as this reader sees it: whole for its author and the facilitator,
    without the passages the facilitator kept out of the reveal for everyone else."""
    if (
        not account.withheld
        or access.is_facilitator
        or account.participant.user_id == access.user_id
    ):
        return account.body
    return moderated(account).revealed()


@register.filter
def person(user: object) -> str:
    return display_name(user)  # type: ignore[arg-type]


@register.filter
def local_input(moment: object) -> str:
    """A stored moment (a datetime or its ISO text) as a datetime-local field's value, in the
    time zone the page is shown in; empty when there is none or it cannot be read."""
    if isinstance(moment, str):
        try:
            moment = dt.datetime.fromisoformat(moment)
        except ValueError:
            return ""
    if not isinstance(moment, dt.datetime):
        return ""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%dT%H:%M")


@register.simple_tag
def offset(moment: dt.datetime, t0: dt.datetime | None) -> str:
    return format_offset(moment, t0)


@register.simple_tag(takes_context=True)
def form_token(context: template.Context) -> str:
    """The CSRF field of a meeting form, left out of the fragments shared by everyone with a
    role (htmx sends each person's own token in a header); `{% csrf_token %}` otherwise."""
    token = context.get("csrf_token")
    if context.get("shared") or not token:
        return ""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


@register.filter
def days(value: object) -> str:
    """A number of days as people say it: "18 days", "3.5 days", "4 months", "5 years"."""
    if value is None or value == "":
        return "—"
    try:
        n = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "—"
    if n < 1:
        hours = round(n * 24)
        return f"{hours} hour{'s' if hours != 1 else ''}"
    if n < 10:
        shown = f"{n:.1f}".rstrip("0").rstrip(".")
        return f"{shown} day{'s' if shown != '1' else ''}"
    if n < 60:
        return f"{round(n)} days"
    if n < 730:
        months = round(n / 30.44)
        return f"{months} months"
    years = n / 365.25
    shown = f"{years:.1f}".rstrip("0").rstrip(".")
    return f"{shown} years"


@register.simple_tag
def described_widget(field: Any) -> SafeString:
    """A form field's widget tied to what is said about it: its help and its error by id
    (aria-describedby), and marked invalid when it has an error."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    attrs: dict[str, str] = {}
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return mark_safe(str(field.as_widget(attrs=attrs)))  # noqa: S308 - Django widget rendering
