from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from aar_project.dates import date_field, sane_date
from actions.models import ActionSize, ActionType
from reviews.models import (
    CausalFactorType,
    EntryKind,
    EntrySource,
    FactorCategory,
    ImportFormat,
    PullRequestContext,
    Review,
    ReviewKind,
    Role,
    Severity,
    SuggestionKind,
    Team,
    TimelineEntry,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class SignInForm(forms.Form):
    email = forms.EmailField(
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class LinkRequestForm(forms.Form):
    email = forms.EmailField(
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


# --- Reviews ---------------------------------------------------------------------------

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def datetime_field(**kwargs: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        widget=DateTimeLocal(),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        validators=[sane_date],
        **kwargs,
    )


PR_FIELDS = {
    "number": "number",
    "html_url": "url",
    "additions": "lines_added",
    "deletions": "lines_removed",
    "changed_files": "files_changed",
}


def parse_pull_request(raw: bytes) -> dict[str, Any]:
    """The fields a code host's pull-request JSON fills (`title` is the review's, the rest the
    pull-request context's); unknown keys are ignored."""
    if len(raw) > 2 * 1024 * 1024:
        raise forms.ValidationError("The pull-request file is larger than 2 MB.")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise forms.ValidationError("The pull-request file is not UTF-8 text.") from exc
    except json.JSONDecodeError as exc:
        raise forms.ValidationError(
            f"The pull-request file is not valid JSON: {exc.msg} (line {exc.lineno})."
        ) from exc
    if not isinstance(data, dict):
        raise forms.ValidationError("The pull-request file must hold one JSON object.")
    fields: dict[str, Any] = {}
    for key, name in PR_FIELDS.items():
        value = data.get(key)
        if value is None:
            continue
        if name == "url":
            if not isinstance(value, str) or not value.startswith(("https://", "http://")):
                raise forms.ValidationError(f"'{key}' must be an http(s) address.")
            fields[name] = value[:200]
        else:
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise forms.ValidationError(f"'{key}' must be a whole number, not {value!r}.")
            fields[name] = value
    if isinstance(data.get("title"), str):
        fields["title"] = data["title"][:200]
    user = data.get("user")
    if isinstance(user, dict) and isinstance(user.get("login"), str):
        fields["author"] = user["login"][:100]
    reviewers = data.get("requested_reviewers")
    if isinstance(reviewers, list):
        logins = [
            r["login"] for r in reviewers if isinstance(r, dict) and isinstance(r.get("login"), str)
        ]
        fields["reviewers"] = ", ".join(logins)[:500]
    for key, name in (("created_at", "opened_at"), ("merged_at", "merged_at")):
        value = data.get(key)
        if value:
            try:
                moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
            except ValueError as exc:
                raise forms.ValidationError(f"'{key}' is not a date and time: {value!r}.") from exc
            moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
            try:
                sane_date(moment.astimezone(dt.UTC))
            except (OverflowError, forms.ValidationError) as exc:
                raise forms.ValidationError(f"'{key}' is outside 1970–2200: {value!r}.") from exc
            fields[name] = moment
    return fields


def people_for_team(team: Team | None, review: Review | None = None) -> Any:
    """Who can lead a review: the team's people and whoever already takes part in it."""
    users = get_user_model()._default_manager.filter(is_active=True)
    if team is None:
        return users.none()
    who = Q(teams=team) | Q(owned_teams=team)
    if review is not None and review.pk:
        who |= Q(participations__review=review)
    return users.filter(who).distinct().order_by("first_name", "email")


class PersonChoiceField(forms.ModelChoiceField["User"]):
    def label_from_instance(self, obj: User) -> str:
        name = obj.get_full_name()
        return f"{name} <{obj.email}>" if name else obj.email


class ReviewForm(forms.ModelForm[Review]):
    event_started_at = datetime_field(required=False, label="Event started")
    event_detected_at = datetime_field(required=False, label="Detected (T-0)")
    event_ended_at = datetime_field(required=False, label="Event ended")
    scheduled_at = datetime_field(required=False, label="Meeting")
    accounts_due_at = datetime_field(
        required=False, label="Accounts due", help_text="Empty: the day before the meeting."
    )
    facilitator = PersonChoiceField(
        queryset=get_user_model()._default_manager.none(), required=False
    )
    scribe = PersonChoiceField(queryset=get_user_model()._default_manager.none(), required=False)
    time_zone = forms.ChoiceField(choices=[], initial="UTC")
    next_review_on = date_field(required=False, label="Next review")
    # The summary is also written in the meeting: an edit saves against the version it read.
    summary_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Review
        fields = [
            "team", "kind", "title", "severity", "time_zone",
            "event_started_at", "event_detected_at", "event_ended_at",
            "scheduled_at", "meeting_minutes", "accounts_due_at",
            "facilitator", "scribe",
            "summary", "impact_users_affected", "impact_users_segment", "impact_duration",
            "impact_business", "lessons", "no_actions", "next_review_on",
        ]  # fmt: skip
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "impact_business": forms.Textarea(attrs={"rows": 2}),
            "lessons": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(
        self,
        *args: Any,
        user: User,
        pull_request: PullRequestForm | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.pull_request = pull_request
        self.fields["team"].queryset = Team.objects.visible_to(user)  # type: ignore[attr-defined]
        zones = [(z, z) for z in sorted(zoneinfo.available_timezones())]
        self.fields["time_zone"].choices = zones  # type: ignore[attr-defined]
        if not self.instance.pk:
            self.fields["time_zone"].initial = timezone.get_default_timezone_name()
        else:
            self.fields["summary_version"].initial = self.instance.summary_version
        team = self._team()
        for name in ("facilitator", "scribe"):
            self.fields[name].queryset = people_for_team(team, self.instance)  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["team"].queryset = Team.objects.filter(pk=self.instance.team_id)  # type: ignore[attr-defined]
            self.fields["team"].disabled = True
        # A pull request's title can come from its JSON file; clean() asks for it otherwise.
        self.fields["title"].required = False

    def _team(self) -> Team | None:
        if self.instance.pk:
            team: Team = self.instance.team
            return team
        raw = self.data.get("team") if self.is_bound else self.initial.get("team")
        if isinstance(raw, Team):
            return raw
        try:
            return Team.objects.filter(pk=int(raw)).first() if raw else None
        except (TypeError, ValueError):
            return None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        pull_request = self.pull_request
        if (
            not data.get("title")
            and data.get("kind") == ReviewKind.PULL_REQUEST
            and pull_request is not None
            and pull_request.is_valid()
        ):
            number = pull_request.cleaned_data.get("number")
            data["title"] = pull_request.title_from_json or (
                f"Pull request #{number}" if number else ""
            )
        if data.get("title"):
            self.instance.title = data["title"]
        facilitator, scribe = data.get("facilitator"), data.get("scribe")
        if facilitator and scribe and facilitator == scribe:
            self.add_error("scribe", "The facilitator and the scribe must be different people.")
        started, ended = data.get("event_started_at"), data.get("event_ended_at")
        if started and ended and ended < started:
            self.add_error("event_ended_at", "The event cannot end before it started.")
        detected = data.get("event_detected_at")
        if started and detected and detected < started:
            self.add_error("event_detected_at", "Detection cannot come before the event started.")
        meeting, due = data.get("scheduled_at"), data.get("accounts_due_at")
        if meeting and not due:
            # A day before the meeting; for a meeting within a day, an hour before it (never
            # a deadline that has already passed when the invitations go out).
            now = timezone.now()
            for before in (dt.timedelta(days=1), dt.timedelta(hours=1)):
                if meeting - before > now:
                    data["accounts_due_at"] = meeting - before
                    break
        elif meeting and due and due > meeting:
            self.add_error("accounts_due_at", "Accounts must be due before the meeting starts.")
        if not data.get("title"):
            self.add_error("title", "Give the event a title.")
        return data

    def warnings(self) -> list[str]:
        """Hints, never blocks, shown once the review is saved."""
        return [w for w in (self.meeting_warning(), self.deadline_warning()) if w]

    def deadline_warning(self) -> str:
        data = getattr(self, "cleaned_data", {}) or {}
        due = data.get("accounts_due_at")
        if due and due <= timezone.now():
            return (
                f"Accounts are due {timezone.localtime(due):%a %-d %b, %H:%M}, which has passed: "
                "invitations will say so and ask for them before the meeting. Set a later time "
                "if people need one."
            )
        return ""

    def meeting_warning(self) -> str:
        """A hint, never a block: the method asks for a meeting within 1–2 weeks of the event."""
        data = getattr(self, "cleaned_data", {}) or {}
        event = data.get("event_started_at") or data.get("event_detected_at")
        meeting = data.get("scheduled_at")
        if event and meeting and (meeting - event).days > 14:
            return (
                f"The meeting is {(meeting - event).days} days after the event. The method asks for "
                "1–2 weeks, while memories are fresh."
            )
        return ""


class PullRequestForm(forms.ModelForm[PullRequestContext]):
    """The change a pull-request review looks at; its fields can come from the code host's JSON."""

    opened_at = datetime_field(required=False, label="Opened")
    merged_at = datetime_field(required=False, label="Merged")
    json = forms.FileField(
        required=False,
        label="Fill from a pull-request JSON file",
        help_text="The answer of your code host's pull-request API (number, title, html_url, user, "
        "requested_reviewers, additions, deletions, changed_files, created_at, merged_at).",
    )

    class Meta:
        model = PullRequestContext
        fields = [
            "number", "url", "pr_type", "priority", "files_changed", "lines_added",
            "lines_removed", "author", "reviewers", "opened_at", "merged_at",
        ]  # fmt: skip
        labels = {"number": "PR number", "url": "Address (URL)"}

    title_from_json = ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("json")
        if upload:
            try:
                parsed = parse_pull_request(upload.read())
            except forms.ValidationError as exc:
                self.add_error("json", exc)
                return data
            self.title_from_json = parsed.pop("title", "")
            for name, value in parsed.items():
                if not data.get(name):
                    data[name] = value
                    setattr(self.instance, name, value)
        return data

    def columns(self) -> dict[str, Any]:
        """The context's columns as cleaned (for a new review, or the ones an edit changed)."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ParticipantAddForm(forms.Form):
    email = forms.EmailField()
    full_name = forms.CharField(required=False, max_length=150, label="Name")
    role = forms.ChoiceField(
        choices=[(Role.PARTICIPANT, "Participant"), (Role.OBSERVER, "Observer")],
        initial=Role.PARTICIPANT,
    )


class ParticipantRoleForm(forms.Form):
    role = forms.ChoiceField(
        choices=[(Role.PARTICIPANT, "Participant"), (Role.OBSERVER, "Observer")]
    )


class AccountForm(forms.Form):
    body = forms.CharField(
        required=False, strip=False, widget=forms.Textarea(attrs={"class": "tall"})
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class TimelineEntryForm(forms.ModelForm[TimelineEntry]):
    occurred_at = datetime_field(label="Time")

    class Meta:
        model = TimelineEntry
        fields = ["occurred_at", "kind", "description", "source", "source_ref"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        labels = {"source_ref": "Reference"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].initial = EntryKind.OTHER
        self.fields["source"].initial = EntrySource.MEETING


class EntryEditForm(forms.Form):
    """An entry edited in the meeting: its time, kind and text, over the version seen."""

    occurred_at = datetime_field(label="Time")
    kind = forms.ChoiceField(choices=EntryKind.choices, label="Kind")
    description = forms.CharField(max_length=5000, label="What happened")
    version = forms.IntegerField(widget=forms.HiddenInput)


class TimelineImportForm(forms.Form):
    file_format = forms.ChoiceField(choices=ImportFormat.choices, label="Format")
    file = forms.FileField(label="File")
    users_file = forms.FileField(
        required=False, label="users.json (optional)", help_text="Slack only: names for user ids."
    )


class PromoteForm(forms.Form):
    occurred_at = datetime_field(label="Time")
    kind = forms.ChoiceField(choices=EntryKind.choices, initial=EntryKind.OTHER)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


# --- The meeting ----------------------------------------------------------------------------


class SummaryForm(forms.Form):
    text = forms.CharField(required=False, strip=False, widget=forms.Textarea(attrs={"rows": 6}))
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class FindingForm(forms.Form):
    """A why, a causal factor, a contributing factor or a went-well item."""

    text = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    factor_type = forms.ChoiceField(required=False, choices=CausalFactorType.choices, label="Type")
    category = forms.ChoiceField(required=False, choices=FactorCategory.choices)
    evidence = forms.TypedMultipleChoiceField(
        required=False, coerce=int, choices=[], label="Evidence"
    )

    def __init__(self, *args: Any, entries: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evidence"].choices = [  # type: ignore[attr-defined]
            (e.pk, f"{e.occurred_at:%H:%M} {e.description[:60]}") for e in (entries or [])
        ]


class DisputeForm(forms.Form):
    note = forms.CharField(max_length=2000, label="What is wrong with this entry?")


class ResolveForm(forms.Form):
    correction = forms.CharField(max_length=5000, label="Correction")
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


def problems(form: forms.Form) -> str:
    """A form's errors in one line, for a notice that says why nothing was changed."""
    return "; ".join(str(e) for errors in form.errors.values() for e in errors)


class SuggestionForm(forms.Form):
    kind = forms.ChoiceField(choices=SuggestionKind.choices)
    text = forms.CharField(
        max_length=5000, widget=forms.Textarea(attrs={"rows": 2}), label="Suggestion"
    )
    occurred_at = datetime_field(required=False, label="Time (entries)")
    entry_kind = forms.ChoiceField(required=False, choices=EntryKind.choices, label="What it was")
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    factor_type = forms.ChoiceField(required=False, choices=CausalFactorType.choices, label="Type")
    category = forms.ChoiceField(required=False, choices=FactorCategory.choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == SuggestionKind.ENTRY and not data.get("occurred_at"):
            self.add_error("occurred_at", "A timeline entry needs its time.")
        return data


class SuggestionDecisionForm(forms.Form):
    """The scribe's edit of a suggestion before accepting it: what it is filed as, its text
    and, for a timeline entry, its time and kind."""

    kind = forms.ChoiceField(choices=SuggestionKind.choices, label="File as")
    text = forms.CharField(max_length=5000, label="Text")
    occurred_at = datetime_field(required=False, label="Time")
    entry_kind = forms.ChoiceField(required=False, choices=EntryKind.choices, label="What it was")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == SuggestionKind.ENTRY and not data.get("occurred_at"):
            self.add_error("occurred_at", "A timeline entry needs its time.")
        return data


class MeetingActionForm(forms.Form):
    title = forms.CharField(max_length=300, label="Action")
    owner = forms.ModelChoiceField(
        queryset=get_user_model()._default_manager.none(), required=False
    )
    due_on = date_field(required=False, label="Due")
    action_type = forms.ChoiceField(
        choices=ActionType.choices, initial=ActionType.OTHER, label="Type"
    )
    size = forms.ChoiceField(choices=[("", "—"), *ActionSize.choices], required=False)
    definition_of_done = forms.CharField(
        required=False, max_length=2000, label="Definition of done"
    )

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["owner"].queryset = people  # type: ignore[attr-defined]
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.email  # type: ignore[attr-defined]


class MeetingActionEditForm(MeetingActionForm):
    """An action changed in the meeting, in one form, over the version seen."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(required=False, max_length=2000, label="Why the date moved")


class ArchiveFilter(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    team = forms.ChoiceField(required=False, choices=[])
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *ReviewKind.choices])
    severity = forms.ChoiceField(
        required=False, choices=[("", "Any severity or scope"), *Severity.choices]
    )
    since = date_field(required=False, label="Published from")
    until = date_field(required=False, label="to")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = Team.objects.visible_to(user).values_list("slug", "name")
        self.fields["team"].choices = [("", "All teams"), *teams]  # type: ignore[attr-defined]
