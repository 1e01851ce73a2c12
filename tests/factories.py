from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from actions.models import ActionItem, ActionStatus, ActionType
from api.models import Webhook
from reviews.models import Account, Participant, Review, ReviewKind, Role, Team, TimelineEntry
from reviews.services.reviews import agenda_create_default

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    username = factory.SelfAttribute("email")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")
    delivery_owner = factory.SubFactory(UserFactory)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review
        skip_postgeneration_save = True

    team = factory.SubFactory(TeamFactory)
    kind = ReviewKind.INCIDENT
    title = factory.Sequence(lambda n: f"Incident number {n}")
    slug = factory.Sequence(lambda n: f"review-{n}")
    status = "preparing"
    event_started_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=3, hours=1))
    event_detected_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=3))
    scheduled_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=2))
    facilitator = factory.SubFactory(UserFactory)
    scribe = factory.SubFactory(UserFactory)

    @factory.post_generation
    def leads(obj, create, extracted, **kwargs):
        """Give the facilitator and scribe their participant rows, and the default agenda."""
        if not create:
            return
        if obj.facilitator:
            Participant.objects.get_or_create(
                review=obj, user=obj.facilitator, defaults={"role": Role.FACILITATOR}
            )
        if obj.scribe:
            Participant.objects.get_or_create(
                review=obj, user=obj.scribe, defaults={"role": Role.SCRIBE}
            )
        agenda_create_default(review=obj)


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    review = factory.SubFactory(ReviewFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.PARTICIPANT


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    participant = factory.SubFactory(ParticipantFactory)
    review = factory.SelfAttribute("participant.review")
    body = factory.Faker("paragraph")


class TimelineEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimelineEntry

    review = factory.SubFactory(ReviewFactory)
    occurred_at = factory.LazyFunction(timezone.now)
    kind = "other"
    description = factory.Faker("sentence")


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    review = factory.SubFactory(ReviewFactory)
    title = factory.Sequence(lambda n: f"Add alert number {n} on pool saturation above 80%")
    owner = factory.SubFactory(UserFactory)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=7))
    action_type = ActionType.MONITORING
    size = "days"
    status = ActionStatus.OPEN


class WebhookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Webhook

    team = factory.SubFactory(TeamFactory)
    url = "https://hooks.example.com/aar"
    secret = factory.Sequence(lambda n: f"webhook-secret-{n}")
    events = factory.LazyFunction(lambda: ["action.closed"])
