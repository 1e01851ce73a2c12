"""Run the reminder jobs now: overdue digests, nudges, escalations (the daily beat task)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from actions.reminders import reminders_run


class Command(BaseCommand):
    help = "Send today's (or --date's) action reminders; --dry-run prints what would be sent."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", help="the day to run for, YYYY-MM-DD (default: today)")
        parser.add_argument("--dry-run", action="store_true", help="send nothing, print the plan")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = (
                dt.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
            )
        except ValueError as exc:
            raise CommandError(f"--date must be YYYY-MM-DD, not {options['date']!r}") from exc
        report = reminders_run(day=day, dry_run=options["dry_run"])
        verb = "would send" if options["dry_run"] else "planned"
        for section, label in (
            ("digest", "overdue digests"),
            ("nudge", "nudges"),
            ("escalation", "escalations"),
        ):
            emails = report.planned[section]
            self.stdout.write(f"{day}: {verb} {len(emails)} {label}")
            for email in emails:
                self.stdout.write(f"  {email}")
        if report.already:
            self.stdout.write(f"{report.already} already sent earlier (not sent again)")
        if not options["dry_run"]:
            self.stdout.write(
                f"sent {report.sent}, failed {report.failed} (failed ones are retried later)"
            )
