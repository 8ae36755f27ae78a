"""Forms on a match's page (declining, starting, withdrawing, ending) and the filter of
the list of matches. Each form on the match page has its own prefix, so that two on one
page never share an id."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone

from tandem.core.forms import GovUKDateField, GovUKForm

from ..models import DeclineReason, EndReason, MatchStatus, MeetingPlace

YES_NO = [("yes", "Yes"), ("no", "No")]
TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
# How far ahead a first meeting can be arranged: further is most likely a typing slip.
MAX_DAYS_AHEAD = 365


def _note(label: str, *, help_text: str = "", required: str | None = None) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required is not None,
        max_length=2000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            **({"required": required} if required else {}),
            "max_length": f"{label.removesuffix('?')} must be 2,000 characters or fewer",
        },
    )


class MatchForm(GovUKForm):
    """A form on the match page: browsers must not demand answers (the page explains)."""

    use_required_attribute = False


class DeclineForm(MatchForm):
    prefix = "decline"

    reason = forms.ChoiceField(
        label="Why are you declining?",
        choices=DeclineReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select why you are declining",
            "invalid_choice": "Select a reason from the list",
        },
    )
    note = _note(
        "Anything the coordinator should know",
        help_text="Do not write the person's name or details that identify them.",
    )


class StartForm(MatchForm):
    prefix = "start"

    first_meeting_on = GovUKDateField(
        label="Date of the first meeting",
        what="the date of the first meeting",
        allow_future=True,
    )
    first_meeting_time = forms.CharField(
        label="Time of the first meeting",
        max_length=5,
        help_text="Use the 24-hour clock, for example 14:30",
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-5", "spellcheck": "false", "autocomplete": "off"}
        ),
        error_messages={
            "required": "Enter the time of the first meeting",
            "max_length": "Enter the time of the first meeting like 14:30",
        },
    )
    place = forms.ChoiceField(
        label="How will the first meeting take place?",
        choices=MeetingPlace.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how the first meeting will take place",
            "invalid_choice": "Select how the first meeting will take place from the list",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The example is a date in the coming week, as the answer must be.
        soon = timezone.localdate() + dt.timedelta(days=7)
        example = f"{soon.day}/{soon.month}/{soon.year}"
        field = self.fields["first_meeting_on"]
        field.help_text = f"For example, {example}"
        field.error_messages["invalid"] = (
            f"The date of the first meeting must be a real date, like {example}"
        )

    def clean_first_meeting_on(self):
        day = self.cleaned_data["first_meeting_on"]
        today = timezone.localdate()
        if day < today:
            raise forms.ValidationError(
                "The date of the first meeting must be today or in the future", code="past"
            )
        if day > today + dt.timedelta(days=MAX_DAYS_AHEAD):
            raise forms.ValidationError(
                "The date of the first meeting must be within the next 12 months", code="far"
            )
        return day

    def clean_first_meeting_time(self):
        value = "".join(self.cleaned_data["first_meeting_time"].split())
        found = TIME.match(value) if value.isascii() else None
        if not found:
            raise forms.ValidationError(
                "Enter the time of the first meeting like 14:30, using the 24-hour clock",
                code="invalid",
            )
        return dt.time(int(found.group(1)), int(found.group(2)))

    def clean(self):
        cleaned = super().clean()
        day, time = cleaned.get("first_meeting_on"), cleaned.get("first_meeting_time")
        if day is not None and time is not None:
            when = timezone.make_aware(dt.datetime.combine(day, time))
            if when <= timezone.now():
                self.add_error("first_meeting_time", "The first meeting must be in the future")
            else:
                cleaned["first_meeting_at"] = when
        return cleaned


class WithdrawForm(MatchForm):
    prefix = "withdraw"

    reason = _note(
        "Why is the proposal being withdrawn?",
        help_text="The mentor is told that the proposal was withdrawn, not why.",
        required="Enter why the proposal is being withdrawn",
    )


END_REASONS = [
    (value, label) for value, label in EndReason.choices if value != EndReason.CASE_ENDED
]


class EndForm(MatchForm):
    prefix = "end"

    reason = forms.ChoiceField(
        label="Why is the match ending?",
        choices=END_REASONS,
        widget=forms.RadioSelect,
        help_text="After a relationship that did not work or a conduct concern, this mentor "
        "is never proposed for the person again.",
        error_messages={
            "required": "Select why the match is ending",
            "invalid_choice": "Select a reason from the list",
        },
    )
    note = _note("Notes on the ending")
    rematch = forms.ChoiceField(
        label="Does the person need a new mentor?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text="Yes: the case goes back to waiting for a match. No: the case moves on to "
        "closing.",
        error_messages={
            "required": "Select yes if the person needs a new mentor",
            "invalid_choice": "Select yes or no",
        },
    )


class MatchFilterForm(GovUKForm):
    mark_optional = False

    status = forms.ChoiceField(
        label="Status",
        choices=[("", "All statuses"), *MatchStatus.choices],
        required=False,
    )

    unanswered = forms.BooleanField(required=False)

    def __init__(self, *args, answer_days: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "unanswered"
        ].label = f"Only proposals unanswered for more than {answer_days} days"

    def unanswered_filter(self) -> bool:
        return self.is_valid() and self.cleaned_data["unanswered"]

    def status_filter(self) -> str:
        """The status chosen, or empty for all (an unknown value shows all)."""
        if self.is_valid():
            return self.cleaned_data["status"]
        return ""
