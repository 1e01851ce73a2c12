from __future__ import annotations

import datetime as dt

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from reviews.display import display_name, format_offset
from reviews.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3


@register.filter
def person(user: object) -> str:
    return display_name(user)  # type: ignore[arg-type]


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
