"""`rollups --check`: do the kept tallies equal a count from the rows? `--rebuild`: count again."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dashboard import rollups


class Command(BaseCommand):
    help = (
        "Check the dashboard's tallies against the rows (--check) or count them again (--rebuild)."
    )

    def add_arguments(self, parser: Any) -> None:
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--check", action="store_true", help="compare with a fresh count")
        what.add_argument("--rebuild", action="store_true", help="throw away and count again")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        if options["rebuild"]:
            rows = rollups.rebuild()
            self.stdout.write(
                f"Counted again: {rows} tally rows in {time.perf_counter() - started:.1f} s."
            )
            return
        found = rollups.differences()
        if found:
            raise CommandError(
                "The kept tallies differ from a fresh count (run rollups --rebuild):\n"
                + "\n".join(found)
            )
        self.stdout.write(
            f"The kept tallies equal a fresh count ({time.perf_counter() - started:.1f} s)."
        )
