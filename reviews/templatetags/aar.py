from __future__ import annotations

import datetime as dt

from django import template
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
