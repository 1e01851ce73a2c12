from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import get_user_model

from aar_project.dates import date_field
from actions.models import ActionItem, ActionSize, ActionStatus, ActionType
from reviews.models import ReviewKind
from reviews.services.people import people_of_review

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class VersionedForm(forms.Form):
    """A change to an action, saved against the version it read. The action's page shows
    several of these at once: each names its fields' ids after itself (`ids`), so no id is
    used twice on the page."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    ids = "id_%s"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", self.ids)
        super().__init__(*args, **kwargs)


class StatusForm(VersionedForm):
    ids = "id_status_%s"
    status = forms.ChoiceField(choices=ActionStatus.choices)
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Note",
        help_text="Done: how do we know it worked? Won't do: why not?",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        status, note = data.get("status"), (data.get("note") or "").strip()
        if status == ActionStatus.DONE and not note:
            self.add_error(
                "note", "Say how we know it worked: closing as done needs a verification note."
            )
        if status == ActionStatus.WONT_DO and not note:
            self.add_error("note", "Dropping an action needs a reason.")
        return data


class DueForm(VersionedForm):
    ids = "id_due_%s"
    due_on = date_field(label="New due date")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Why it moves")


class OwnerChoiceField(forms.ModelChoiceField["User"]):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.email


class ReassignForm(VersionedForm):
    ids = "id_owner_%s"
    owner = OwnerChoiceField(queryset=get_user_model()._default_manager.none(), label="New owner")
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, action: ActionItem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people_of_review(action.review)  # type: ignore[attr-defined]


class ActionEditForm(VersionedForm):
    ids = "id_edit_%s"
    title = forms.CharField(max_length=300)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    definition_of_done = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Definition of done"
    )
    action_type = forms.ChoiceField(choices=ActionType.choices, label="Type")
    size = forms.ChoiceField(choices=[("", "—"), *ActionSize.choices], required=False)
    ticket_url = forms.URLField(
        required=False,
        label="Ticket",
        assume_scheme="https",
        max_length=200,  # the column's
    )


class ResurfaceForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[("recommitted", "Re-commit"), ("closed", "Close as done"), ("dropped", "Drop")]
    )
    due_on = date_field(required=False)
    note = forms.CharField(required=False, max_length=2000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        outcome, note = data.get("outcome"), (data.get("note") or "").strip()
        if outcome == "recommitted" and not data.get("due_on"):
            self.add_error("due_on", "Re-committing needs a new due date.")
        if outcome == "closed" and not note:
            self.add_error("note", "Closing as done needs a verification note.")
        if outcome == "dropped" and not note:
            self.add_error("note", "Dropping needs a reason.")
        return data


class MuteForm(forms.Form):
    days = forms.IntegerField(min_value=0, max_value=60, label="Mute digests for (days)")


class TeamActionFilter(forms.Form):
    """The filters of a team's (or all owned teams') actions, including the ones the
    dashboard's numbers link with. An unusable value is reported and ignored."""

    team = forms.SlugField(required=False)
    owner = forms.IntegerField(required=False)
    status = forms.ChoiceField(
        required=False, choices=[("", "Open (any)"), ("all", "All"), *ActionStatus.choices]
    )
    action_type = forms.ChoiceField(required=False, choices=[("", "Any type"), *ActionType.choices])
    kind = forms.ChoiceField(
        required=False, choices=[("", "Any kind of review"), *ReviewKind.choices]
    )
    review = forms.CharField(required=False)
    overdue = forms.BooleanField(required=False)
    due_soon = forms.BooleanField(required=False)
    late_min = forms.IntegerField(
        required=False, min_value=0, max_value=100_000, label="Overdue by at least (days)"
    )
    late_max = forms.IntegerField(
        required=False, min_value=0, max_value=100_000, label="Overdue by at most (days)"
    )
    opened_since = date_field(required=False, label="Opened from")
    opened_until = date_field(required=False, label="Opened until")
    closed_since = date_field(required=False, label="Closed from")
    closed_until = date_field(required=False, label="Closed until")
    on_time = forms.ChoiceField(
        required=False, choices=[("", "Either"), ("yes", "On time"), ("no", "Late")]
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("due_on", "Due date"),
            ("-due_on", "Due date, latest first"),
            ("owner", "Owner"),
            ("status", "Status"),
            ("-created_at", "Newest"),
            ("-closed_at", "Latest closed"),
        ],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for low, high in (
            ("late_min", "late_max"),
            ("opened_since", "opened_until"),
            ("closed_since", "closed_until"),
        ):
            if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
                self.add_error(low, "The range ends before it starts.")
                self.add_error(high, "The range ends before it starts.")
        return data

    def usable(self) -> dict[str, Any]:
        """The values that passed; a field with an error is left out."""
        self.is_valid()
        return {
            name: value
            for name, value in getattr(self, "cleaned_data", {}).items()
            if name not in self.errors
        }
