"""`python manage.py create_api_token EMAIL [--name N] [--write] [--days D]`: print a new token."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from api.models import Scope
from api.tokens import DEFAULT_DAYS, token_create


class Command(BaseCommand):
    help = "Make a personal access token for the person with this email and print it (once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="Script", help="What uses it (default: Script).")
        parser.add_argument(
            "--write", action="store_true", help="May also change things (default: read only)."
        )
        parser.add_argument(
            "--days",
            type=int,
            default=DEFAULT_DAYS,
            help=f"Days until it expires (default {DEFAULT_DAYS}; 0: never).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] < 0:
            raise CommandError("--days must be 0 (never expires) or more.")
        users = get_user_model()._default_manager
        user = users.filter(email__iexact=options["email"].strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active person has the address {options['email']!r}.")
        row, token = token_create(
            user=user,
            name=options["name"],
            scope=Scope.WRITE if options["write"] else Scope.READ,
            days=options["days"] or None,
        )
        expires = f"expires {row.expires_at:%Y-%m-%d}" if row.expires_at else "never expires"
        self.stderr.write(
            f"{row.name} for {user.email}: {row.get_scope_display().lower()}, {expires}."
        )
        self.stdout.write(token)
