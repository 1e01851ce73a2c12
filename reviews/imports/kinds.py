"""A first guess at an imported row's kind, from its words; the preview lets the facilitator
change every one. Only plain signals count: a guess that is wrong half the time would cost
the facilitator more than no guess."""

from __future__ import annotations

import re

from reviews.models import EntryKind

_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        EntryKind.RESOLUTION,
        re.compile(
            r"\b(resolved|all clear|fully recovered|back to normal|incident (is )?closed|"
            r"service (is )?restored|no longer (seeing|affected))\b",
            re.IGNORECASE,
        ),
    ),
    (
        EntryKind.MITIGATION,
        re.compile(
            r"\b(roll(ed|ing)? ?back|rolled-back|revert(ed|ing)?|mitigat\w*|fail(ed|ing)? ?over|"
            r"failover|hotfix(ed)?|restart(ed|ing)?|scal(ed|ing) (up|out)|workaround)\b",
            re.IGNORECASE,
        ),
    ),
    (
        EntryKind.ACKNOWLEDGMENT,
        re.compile(r"\b(acknowledged|ack'?d|i'?m (on it|looking)|on it)\b", re.IGNORECASE),
    ),
    (
        EntryKind.SEVERITY_ASSESSED,
        re.compile(
            r"\b(sev ?[0-4]|severity|p[0-4] incident|declar(ed|ing) (an )?incident)\b", re.I
        ),
    ),
    (
        EntryKind.DECISION,
        re.compile(r"\b(decided|decision|we agreed|agreed to|going with)\b", re.IGNORECASE),
    ),
    (
        EntryKind.COMMUNICATION,
        re.compile(r"\b(status ?page|customers? (were )?(told|notified)|posted an update)\b", re.I),
    ),
)

_ALERT = re.compile(
    r"\b(alert(ing)?|alarm|firing|triggered|pag(ed|ing)|pagerduty|opsgenie|critical|"
    r"down|unreachable|error rate|threshold)\b",
    re.IGNORECASE,
)


# Speakers in pasted chat that are alerting tools, not people.
ALERTING = {
    "alertmanager", "datadog", "grafana", "icinga", "nagios", "newrelic", "opsgenie",
    "pagerduty", "prometheus", "sentry", "splunk", "statuscake", "victorops", "zabbix",
}  # fmt: skip


def is_alerting(name: str) -> bool:
    """Whether a speaker's name is an alerting tool's ('pagerduty', 'PagerDuty bot')."""
    words = re.findall(r"[a-z]+", name.lower())
    return any(word in ALERTING for word in words)


def suggested_kind(text: str, *, from_bot: bool = False) -> str:
    """The kind the words point at, or Other. A bot or integration that reports an alert is
    a detection; people's words about rolling back or resolving name those steps."""
    if from_bot and _ALERT.search(text) and not _RULES[0][1].search(text):
        return EntryKind.DETECTION
    for kind, pattern in _RULES:
        if pattern.search(text):
            return kind
    return EntryKind.OTHER
