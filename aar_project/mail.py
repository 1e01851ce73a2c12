"""Every email AAR sends: a plain-text and an HTML part, a one-line subject, absolute links."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

_LINE_BREAKS = re.compile(r"[\r\n\t\x0b\x0c\x85\u2028\u2029]+")


def one_line(text: str, limit: int = 180) -> str:
    """Fold anything that reaches an email header onto one line."""
    folded = " ".join(_LINE_BREAKS.sub(" ", text).split())
    return folded if len(folded) <= limit else folded[: limit - 1].rstrip() + "…"


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def build_message(
    *,
    to: Sequence[str],
    subject: str,
    template: str,
    context: dict[str, Any],
    attachments: Sequence[tuple[str, bytes | str, str]] = (),
    headers: dict[str, str] | None = None,
) -> EmailMultiAlternatives:
    """Render `emails/<template>.txt` (by the "text" engine, which escapes nothing) and
    `.html` into one message."""
    context = {**context, "SITE_URL": settings.SITE_URL}
    text = render_to_string(f"emails/{template}.txt", context, using="text")
    html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=one_line(subject),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(to),
        headers={key: one_line(value, 900) for key, value in (headers or {}).items()},
    )
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message
