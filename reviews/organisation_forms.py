"""Forms of the organisation's pages: first-run setup, people, teams, defaults and a team's
settings. Validation only; the services do the work."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from reviews.auth import normalise_email
from reviews.models import DEFAULT_AGENDA, Phase, ReviewKind, Severity, Team


def _zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class TeamNameField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Team name")
        super().__init__(
            max_length=120, error_messages={"required": "Give the team a name."}, **kwargs
        )

    def clean(self, value: Any) -> str:
        cleaned = str(super().clean(value)).strip()
        if not cleaned:
            raise ValidationError("Give the team a name.")
        return cleaned


class SetupForm(forms.Form):
    email = forms.EmailField(
        label="Your email", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    name = forms.CharField(
        label="Your name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not a common password.",
    )
    password_again = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    team_name = TeamNameField(help_text="The first team that holds reviews; you own it.")
    time_zone = forms.ChoiceField(
        choices=_zone_choices,
        initial="UTC",
        help_text="New reviews are scheduled in this zone unless their team says otherwise.",
    )
    token = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password, again = data.get("password"), data.get("password_again")
        if password and again and password != again:
            self.add_error("password_again", "The two passwords differ.")
        elif password:
            user = get_user_model()(email=data.get("email", ""), first_name=data.get("name", ""))
            try:
                validate_password(password, user)
            except ValidationError as exc:
                self.add_error("password", exc)
        return data


class InviteForm(forms.Form):
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    name = forms.CharField(max_length=150, required=False)
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, empty_label="No team yet"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.active()  # type: ignore[attr-defined]


class TeamCreateForm(forms.Form):
    name = TeamNameField()
    delivery_owner = forms.ModelChoiceField(
        queryset=get_user_model()._default_manager.none(),
        required=False,
        empty_label="Nobody yet",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = get_user_model()._default_manager.filter(is_active=True).order_by("email")
        self.fields["delivery_owner"].queryset = people  # type: ignore[attr-defined]
        self.fields["delivery_owner"].label_from_instance = _person_label  # type: ignore[attr-defined]


class TeamRenameForm(forms.Form):
    name = TeamNameField()


def _person_label(user: Any) -> str:
    name = user.get_full_name()
    return f"{name} <{user.email}>" if name else user.email


class AgendaMinutesMixin(forms.Form):
    """One number per phase of the method's agenda (1–120 minutes)."""

    def add_agenda_fields(
        self, initial: dict[str, int], required: bool, fallback: dict[str, int] | None = None
    ) -> None:
        labels = dict(Phase.choices)
        for phase, default in DEFAULT_AGENDA:
            minutes = (fallback or {}).get(phase) or default
            self.fields[f"minutes_{phase}"] = forms.IntegerField(
                label=f"{labels[phase]} (minutes)",
                min_value=1,
                max_value=120,
                required=required,
                initial=initial.get(phase, minutes if required else None),
                help_text="" if required else f"Empty: the organisation's {minutes}.",
            )

    def agenda_fields(self) -> list[forms.BoundField]:
        return [self[f"minutes_{phase}"] for phase, _ in DEFAULT_AGENDA]

    def agenda_minutes(self) -> dict[str, int]:
        return {
            str(phase): self.cleaned_data[f"minutes_{phase}"]
            for phase, _ in DEFAULT_AGENDA
            if self.cleaned_data.get(f"minutes_{phase}")
        }


class OrganisationForm(AgendaMinutesMixin):
    time_zone = forms.ChoiceField(
        choices=_zone_choices, help_text="The time zone new reviews are scheduled in."
    )
    reminder_hour = forms.IntegerField(
        min_value=0,
        max_value=23,
        help_text="The hour (0–23, in the organisation's time zone) when action reminders go out.",
    )

    def __init__(self, *args: Any, agenda: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_agenda_fields(agenda, required=True)


ROLE_CHOICES = [("member", "Member"), ("delivery_owner", "Delivery owner")]


class TeamMemberForm(forms.Form):
    email = forms.EmailField(
        help_text="Someone with an account here; invite new people in Organisation settings."
    )
    role = forms.ChoiceField(choices=ROLE_CHOICES, initial="member", label="Team role")

    def clean_email(self) -> Any:
        email = normalise_email(self.cleaned_data["email"])
        person = (
            get_user_model()._default_manager.filter(email__iexact=email, is_active=True).first()
        )
        if person is None:
            raise ValidationError(
                "No active account has this address. Staff can invite them first."
            )
        return person


class TeamRoleForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES)


class TeamPlanForm(AgendaMinutesMixin):
    stakeholder_emails = forms.CharField(
        label="Stakeholder addresses",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The communication plan: one address per line. They get each published report.",
    )
    review_triggers = forms.CharField(
        label="When this team holds a review",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="In the team's own words.",
    )
    trigger_kinds = forms.MultipleChoiceField(
        label="Kinds of event that need a review",
        choices=ReviewKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every kind.",
    )
    trigger_severities = forms.MultipleChoiceField(
        label="Severities and scopes that need a review",
        choices=Severity.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every severity.",
    )

    def __init__(
        self, *args: Any, agenda: dict[str, int], fallback: dict[str, int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.add_agenda_fields(agenda, required=False, fallback=fallback)

    def clean_stakeholder_emails(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["stakeholder_emails"].splitlines()]
        addresses, bad = [], []
        for line in lines:
            if not line:
                continue
            try:
                validate_email(line)
            except ValidationError:
                bad.append(line)
            else:
                if normalise_email(line) not in addresses:
                    addresses.append(normalise_email(line))
        if bad:
            raise ValidationError(
                "Not an email address: " + ", ".join(bad[:5]) + ("…" if len(bad) > 5 else "")
            )
        if len(addresses) > 200:
            raise ValidationError("At most 200 addresses.")
        return addresses


class RotaForm(forms.Form):
    """The rota as the members ticked, in the order of their numbers."""

    def __init__(self, *args: Any, members: list[Any], current: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = members
        for member in members:
            place = current.index(member.pk) + 1 if member.pk in current else None
            self.fields[f"place_{member.pk}"] = forms.IntegerField(
                label=_person_label(member),
                required=False,
                min_value=1,
                max_value=len(members),
                initial=place,
            )

    def user_ids(self) -> list[int]:
        places = [
            (self.cleaned_data[f"place_{m.pk}"], i, m.pk)
            for i, m in enumerate(self.members)
            if self.cleaned_data.get(f"place_{m.pk}")
        ]
        return [pk for _, _, pk in sorted(places)]
