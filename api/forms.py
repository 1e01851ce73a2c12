from __future__ import annotations

from django import forms

from api.tokens import DAY_CHOICES, DEFAULT_DAYS


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
