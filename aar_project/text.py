"""Text as it may be stored and rendered."""

from __future__ import annotations

# C0 control characters (NUL included) other than tab, newline and carriage return: PostgreSQL
# refuses NUL in text, and none of them is something a person meant to type.
_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))
# Line and paragraph separators (and NEL) become newlines: renderers such as WeasyPrint
# refuse them inside a line.
_SEPARATORS = {0x2028: "\n", 0x2029: "\n", 0x85: "\n"}
_TRANSLATION = {**_CONTROL, **_SEPARATORS}
CLEANED_NOTICE = "Invisible control characters were removed from what you typed."


def clean_text(value: str) -> str:
    """`value` without control characters, with Unicode line separators as newlines."""
    return value.translate(_TRANSLATION)
