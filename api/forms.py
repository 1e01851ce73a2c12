from __future__ import annotations

from django import forms

from api.models import Kind
from api.tokens import DAY_CHOICES, DEFAULT_DAYS
from api.webhooks import AddressRefused, checked_address
from reviews.events import Event


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, help_text="What uses it, to tell your tokens apart (“incident bot”)."
    )
    write = forms.BooleanField(
        required=False,
        label="May also change things",
        help_text="Open reviews, add timeline entries, close actions. Without it: read only.",
    )
    days = forms.TypedChoiceField(
        choices=[(d, f"{d} days") for d in DAY_CHOICES],
        coerce=int,
        initial=DEFAULT_DAYS,
        label="Expires after",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("auto_id", "id_token_%s")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class WebhookForm(forms.Form):
    kind = forms.ChoiceField(
        choices=Kind.choices,
        initial=Kind.SIGNED,
        required=False,  # left out: signed JSON
        widget=forms.RadioSelect,
        label="Receiver",
        help_text="A chat channel gets a short message with a link; anything else gets the "
        "event as JSON, signed with the webhook's secret (X-AAR-Signature).",
    )
    url = forms.URLField(
        max_length=500,
        assume_scheme="https",
        label="Receiver address",
        help_text="For a chat channel, the incoming-webhook address the tool gave you.",
    )
    events = forms.MultipleChoiceField(
        choices=Event.choices,
        widget=forms.CheckboxSelectMultiple,
        label="Events",
        error_messages={"required": "Choose at least one event."},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("auto_id", "id_webhook_%s")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def clean_kind(self) -> str:
        return str(self.cleaned_data.get("kind") or Kind.SIGNED)

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        try:
            checked_address(url)
        except AddressRefused as exc:
            raise forms.ValidationError(str(exc)) from None
        return url
