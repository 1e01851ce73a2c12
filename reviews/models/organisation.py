"""The organisation: its defaults (one row), and the identities people sign in with at an
OpenID Connect provider."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import models
from django.utils import timezone

from reviews.models.meeting import DEFAULT_AGENDA


def default_agenda_minutes() -> dict[str, int]:
    return {str(phase): minutes for phase, minutes in DEFAULT_AGENDA}


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def current(self) -> Organisation:
        """The one row (made on first use, with the environment's defaults)."""
        row = self.filter(pk=1).first()
        if row is None:
            row, _ = self.get_or_create(
                pk=1,
                defaults={
                    "time_zone": settings.TIME_ZONE,
                    "reminder_hour": settings.REMINDER_HOUR,
                },
            )
        return row

    def default_time_zone(self) -> str:
        """The zone new reviews are scheduled in: the organisation's, else the server's."""
        saved = self.filter(pk=1).values_list("time_zone", flat=True).first()
        return saved or timezone.get_default_timezone_name()

    def reminder_schedule(self) -> tuple[ZoneInfo, int]:
        """When the daily reminders go out: the organisation's hour in its time zone, once
        staff saved the defaults; until then REMINDER_HOUR in UTC, as before."""
        row = self.filter(pk=1).values_list("time_zone", "reminder_hour").first()
        if row is None:
            return ZoneInfo("UTC"), settings.REMINDER_HOUR
        try:
            return ZoneInfo(row[0]), row[1]
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC"), row[1]


class Organisation(models.Model):
    """The defaults staff set in Organisation settings: the time zone of new reviews, the
    agenda's minutes per phase and the hour the daily reminders go out."""

    name = models.CharField(max_length=120, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    agenda_minutes = models.JSONField(default=default_agenda_minutes)
    reminder_hour = models.PositiveSmallIntegerField(default=8)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pk=1), name="%(app_label)s_%(class)s_one_row"
            ),
            models.CheckConstraint(
                condition=models.Q(reminder_hour__lte=23),
                name="%(app_label)s_%(class)s_reminder_hour_in_day",
            ),
        ]

    def __str__(self) -> str:
        return self.name or "Organisation"


class SignInIdentity(models.Model):
    """Who a person is at an OpenID Connect provider: its issuer and the subject (`sub`) it
    gave them. Once known, a person is found by this, never again by email, so an address
    changed at the provider cannot reach another account."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_in_identities"
    )
    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=255)
    email_at_link = models.EmailField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="%(app_label)s_%(class)s_one_person_per_sub"
            ),
            models.UniqueConstraint(
                fields=["user", "issuer"], name="%(app_label)s_%(class)s_one_sub_per_issuer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject}"
