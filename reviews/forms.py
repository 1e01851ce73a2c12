from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from aar_project.dates import date_field, sane_date
from actions.models import ActionSize, ActionType
from reviews.imports import ImportRefused, PullRequestAnswer, parse_pull_request
from reviews.imports.pull_requests import MAX_PR_BYTES
from reviews.models import (
    CausalFactorType,
    EntryKind,
    EntrySource,
    FactorCategory,
    ImportFormat,
    LessonCategory,
    Organisation,
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
        self.seeded: set[str] = set()  # fields filled from the pull request, not typed
        self.fields["team"].queryset = Team.objects.visible_to(user)  # type: ignore[attr-defined]
        zones = [(z, z) for z in sorted(zoneinfo.available_timezones())]
        self.fields["time_zone"].choices = zones  # type: ignore[attr-defined]
        if not self.instance.pk:
            self.fields["team"].queryset = Team.objects.visible_to(user).active()  # type: ignore[attr-defined]
            self.fields["time_zone"].initial = Organisation.objects.default_time_zone()
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
        is_change = (data.get("kind") or self.instance.kind) == ReviewKind.PULL_REQUEST
        if (
            is_change
            and pull_request is not None
            and pull_request.is_valid()
            and pull_request.summary_from_json
            and not (data.get("summary") or "").strip()
        ):
            # The pull request's description is where its author said what it does.
            data["summary"] = self.instance.summary = pull_request.summary_from_json[:20000]
            self.seeded.add("summary")
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

    def other_fields(self) -> dict[str, Any]:
        """The cleaned columns `review_create` takes as keywords: all but the team, kind,
        title and leads, which it takes by name."""
        data = self.cleaned_data
        return {
            name: data[name]
            for name in self.Meta.fields
            if name not in {"team", "kind", "title", "facilitator", "scribe"} and name in data
        }

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
        help_text="The answer of your code host's API for one pull request: GitHub "
        "(GET /repos/{owner}/{repo}/pulls/{number}), GitLab (GET /projects/:id/merge_requests/"
        ":iid) or Bitbucket Cloud (GET /2.0/repositories/{workspace}/{repo}/pullrequests/{id}). "
        "Fields you filled in yourself are kept.",
    )

    class Meta:
        model = PullRequestContext
        fields = [
            "number", "url", "pr_type", "priority", "files_changed", "lines_added",
            "lines_removed", "author", "reviewers", "opened_at", "merged_at", "merged_by",
            "labels",
        ]  # fmt: skip
        labels = {"number": "PR number", "url": "Address (URL)"}

    title_from_json = ""
    # The description seeds the review's summary; what the host's answer lacks is said.
    summary_from_json = ""
    filled_from: PullRequestAnswer | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filled: set[str] = set()  # the fields the JSON filled (not typed, so not "changed")

    def lacks(self) -> str:
        """What the host's answer did not carry, for a message after the save."""
        answer = self.filled_from
        if answer is None or not answer.lacks:
            return ""
        return f"Filled from the {answer.host} answer, which lacks {'; '.join(answer.lacks)}."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("json")
        if upload:
            try:
                answer = parse_pull_request(upload.read(MAX_PR_BYTES + 1))
            except ImportRefused as exc:
                self.add_error("json", str(exc))
                return data
            self.filled_from = answer
            self.title_from_json = answer.title
            self.summary_from_json = answer.description.strip()
            for name, value in answer.fields.items():
                if not data.get(name):
                    data[name] = value
                    setattr(self.instance, name, value)
                    self.filled.add(name)
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


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (a Slack channel's day files with users.json)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class TimelineImportForm(forms.Form):
    file_format = forms.ChoiceField(choices=ImportFormat.choices, label="Format")
    upload = MultipleFileField(
        required=False,
        label="File",
        help_text="CSV or JSON Lines: one file. Slack: the export's zip, or a channel's day "
        "files (2017-01-31.json …) with users.json and channels.json. Lines: a .log or .txt file.",
    )
    users_file = forms.FileField(
        required=False,
        label="users.json (optional)",
        help_text="Slack only, when it is not in the zip: names for user ids.",
    )
    lines = forms.CharField(
        required=False,
        strip=False,
        label="Or paste chat or log lines",
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text="One message per line, starting with its time: "
        "'[23:05] alice: message', '2017-01-31 23:27:04 UTC message', 'Nov  3 09:23:38 host "
        "app: message'. Lines that do not start with a time join the line before.",
    )
    day = date_field(
        required=False,
        label="Date of lines that carry only a time",
        help_text="Lines such as '[23:05] …' are placed on this day; a time that runs back past "
        "midnight moves to the next day.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        files, lines = data.get("upload") or [], data.get("lines") or ""
        if lines.strip() and files:
            self.add_error("lines", "Upload a file or paste lines, not both.")
        elif lines.strip():
            data["file_format"] = ImportFormat.LINES
        elif not files and "upload" not in self.errors:
            self.add_error("upload", "Choose a file to import, or paste lines below.")
        return data


class ImportKindsForm(forms.Form):
    """The kinds set in an import's preview: one select per row shown (`kind-<row>`), and a
    kind for the rows ticked; `action` saves them, or saves them and imports."""

    action = forms.ChoiceField(
        required=False, choices=[("save", "Save"), ("set", "Set"), ("import", "Import")]
    )
    goto = forms.IntegerField(required=False, min_value=1)  # save, then show that page
    selected = forms.TypedMultipleChoiceField(required=False, coerce=int, choices=[])
    kind_for_selected = forms.ChoiceField(
        required=False, choices=[("", "Choose a kind"), *EntryKind.choices]
    )

    def __init__(self, *args: Any, rows: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.fields["selected"].choices = [(n, n) for n in range(rows)]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kinds: dict[int, str] = {}
        for name, value in self.data.items():
            if not name.startswith("kind-"):
                continue
            index = name.removeprefix("kind-")
            if not index.isdigit() or int(index) >= self.rows:
                raise forms.ValidationError(
                    "The preview changed; reload it and set the kinds again."
                )
            if value not in EntryKind.values:
                raise forms.ValidationError(f"'{value}' is not a kind of timeline entry.")
            kinds[int(index)] = value
        data["kinds"] = kinds
        if data.get("action") == "set" and not data.get("kind_for_selected"):
            self.add_error("kind_for_selected", "Choose the kind to give the rows you ticked.")
        if data.get("action") == "set" and not data.get("selected"):
            self.add_error("selected", "Tick the rows to give that kind first.")
        return data

    def row_kinds(self) -> dict[int, str]:
        return dict(self.cleaned_data["kinds"])


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
    lesson_category = forms.ChoiceField(
        required=False, choices=LessonCategory.choices, label="Kind of lesson"
    )
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
