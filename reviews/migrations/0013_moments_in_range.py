"""Bring moments and days stored before they were validated into 1970–2200.

Older versions let a form or an import store year 1 or year 9999 with any offset; PostgreSQL
keeps such an instant (as BC, or past 9999 local), and reading it back fails, taking a page
down for everyone. The update compares in SQL, so no bad row is ever loaded into Python.
"""

import datetime as dt

from django.db import migrations

FIRST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LAST = dt.datetime(2200, 12, 31, 23, 59, tzinfo=dt.UTC)
MOMENTS = {
    ("reviews", "Review"): [
        "event_started_at", "event_detected_at", "event_ended_at", "scheduled_at",
        "accounts_due_at",
    ],
    ("reviews", "TimelineEntry"): ["occurred_at"],
    ("reviews", "PullRequestContext"): ["opened_at", "merged_at"],
}
DAYS = {
    ("reviews", "Review"): ["next_review_on"],
    ("actions", "ActionItem"): ["due_on"],
}


def bring_into_range(apps, schema_editor):
    for fields, first, last in ((MOMENTS, FIRST, LAST), (DAYS, FIRST.date(), LAST.date())):
        for (app_label, name), columns in fields.items():
            model = apps.get_model(app_label, name)
            for column in columns:
                model._base_manager.filter(**{f"{column}__lt": first}).update(**{column: first})
                model._base_manager.filter(**{f"{column}__gt": last}).update(**{column: last})


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0012_pull_request_context"),
        ("actions", "0003_action_team"),
    ]

    operations = [migrations.RunPython(bring_into_range, migrations.RunPython.noop)]
