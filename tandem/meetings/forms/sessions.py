"""The shape of what a mentor or coordinator types about sessions and the meeting
brief. Rules about sessions (working match, not held in the future, offered places and
topics) live in the services; these forms only check that the answers are answers."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from django import forms
from django.utils import timezone

from tandem.cases.models import STYLE_SCALE, Approach
from tandem.catalogues.models import Area
from tandem.core.forms import GovUKDateField, GovUKForm

from ..models import CancelledBy, PlaceType, Topic
from ..services.sessions import MAX_SERIES, Arrangements, WhatHappened

DASH = "\N{EN DASH}"
TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
PRIVATE_NOTES_READERS = (
    "Only you, your supervisor and, if a safeguarding concern refers to this session, the "
    "safeguarding lead."
)
SUMMARY_READERS = "Coordinators and your supervisor; progress reports to partners use only this."
NO_NAMES = "Do not write the person's full name or anything that identifies them."
OTHERS = [("family", "A family member"), ("professional", "Another professional")]
REPEAT_CHOICES = [
    ("once", "Just this session"),
    ("weekly", "Every week"),
    ("fortnightly", "Every two weeks"),
]
ENGAGEMENT_SCALE = [
    (1, f"1 {DASH} Not engaged"),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, f"5 {DASH} Fully engaged"),
]
TRUST_SCALE = [
    (1, f"1 {DASH} Little trust"),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, f"5 {DASH} Strong trust"),
]


class SessionForm(GovUKForm):
    """Forms about a session: the browser does not demand answers (the page explains),
    and the version the page saw travels with the form."""

    use_required_attribute = False

    version = forms.CharField(widget=forms.HiddenInput, required=False, strip=True)

    def clean_version(self):
        # A tampered or missing version counts as a stale page: the service refuses it.
        value = self.cleaned_data.get("version") or ""
        return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else 0


def _minutes(label: str, *, what: str, minimum: int, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=minimum,
        max_value=720,
        help_text=help_text,
        widget=forms.NumberInput(
            attrs={"class": "govuk-input--width-4", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={
            "required": f"Enter {what} in minutes",
            "invalid": f"Enter {what} as a number of minutes, like 60",
            "min_value": f"{what[0].upper()}{what[1:]} must be at least {minimum} minute"
            + ("s" if minimum != 1 else ""),
            "max_value": f"{what[0].upper()}{what[1:]} must be 720 minutes (12 hours) or less",
        },
    )


def _time(label: str, what: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=5,
        help_text="Use the 24-hour clock, for example 14:30",
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input--width-5",
                "spellcheck": "false",
                "autocomplete": "off",
                "inputmode": "numeric",
            }
        ),
        error_messages={
            "required": f"Enter {what}",
            "max_length": f"Enter {what} like 14:30",
        },
    )


def _text(label: str, *, help_text: str, rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=10_000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": f"{label} must be 10,000 characters or fewer"},
    )


def _place_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="Where",
        queryset=PlaceType.objects.offered(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Select where the session is",
            "invalid_choice": "Select a place from the list",
        },
    )


class WhenMixin:
    """A date and a start time typed separately, combined into ``starts_at``."""

    time_field = "start_time"

    def clean_start_time(self):
        value = "".join(self.cleaned_data["start_time"].split())
        found = TIME.match(value) if value.isascii() else None
        if not found:
            raise forms.ValidationError(
                "Enter the start time like 14:30, using the 24-hour clock", code="invalid"
            )
        return dt.time(int(found.group(1)), int(found.group(2)))

    def starts_at(self) -> dt.datetime | None:
        day, time = self.cleaned_data.get("date"), self.cleaned_data.get("start_time")
        if day is None or time is None:
            return None
        return timezone.make_aware(dt.datetime.combine(day, time))


class HeldForm(WhenMixin, SessionForm):
    """Logging a held session: one page, with sensible defaults."""

    date = GovUKDateField(label="Date", what="the date of the session")
    start_time = _time("Start time", "the start time")
    duration_minutes = _minutes("How long it lasted, in minutes", what="the length", minimum=1)
    travel_minutes = _minutes(
        "Your travel time, in minutes",
        what="the travel time",
        minimum=0,
        help_text="There and back. Enter 0 if you did not travel.",
    )
    place_type = _place_field()
    others = forms.MultipleChoiceField(
        label="Who else was there",
        choices=OTHERS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave empty if it was just the two of you.",
        error_messages={"invalid_choice": "Select who else was there from the list"},
    )
    approach = forms.ChoiceField(
        label="Approach you used",
        choices=Approach.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the approach you used",
            "invalid_choice": "Select the approach you used from the list",
        },
    )
    style = forms.TypedChoiceField(
        label="Style you used",
        coerce=int,
        choices=[(n, f"{n} {DASH} {label}") for n, label in STYLE_SCALE.items()],
        widget=forms.RadioSelect,
        help_text="From 1, empathetic, to 5, challenging.",
        error_messages={
            "required": "Select the style you used",
            "invalid_choice": "Select the style you used from the list",
        },
    )
    topics = forms.ModelMultipleChoiceField(
        label="What you talked about",
        queryset=Topic.objects.offered(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Select topics from the list",
            "invalid_pk_value": "Select topics from the list",
        },
    )
    engagement = forms.TypedChoiceField(
        label="How engaged was the person?",
        coerce=int,
        choices=ENGAGEMENT_SCALE,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how engaged the person was",
            "invalid_choice": "Select how engaged the person was from the list",
        },
    )
    trust = forms.TypedChoiceField(
        label="How much trust is there between you?",
        coerce=int,
        choices=TRUST_SCALE,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how much trust there is between you",
            "invalid_choice": "Select how much trust there is from the list",
        },
    )
    next_steps = _text("Next steps", help_text=f"Who will read this: {SUMMARY_READERS}", rows=3)
    private_notes = _text(
        "Private notes", help_text=f"Who will read this: {PRIVATE_NOTES_READERS} {NO_NAMES}"
    )
    summary = _text(
        "Shareable summary", help_text=f"Who will read this: {SUMMARY_READERS} {NO_NAMES}"
    )

    def arrangements(self) -> Arrangements:
        data = self.cleaned_data
        return Arrangements(
            starts_at=self.starts_at(),
            place_type=data["place_type"],
            duration_minutes=data["duration_minutes"],
            travel_minutes=data["travel_minutes"],
            family_present="family" in data["others"],
            professional_present="professional" in data["others"],
        )

    def what_happened(self) -> WhatHappened:
        data = self.cleaned_data
        return WhatHappened(
            approach=data["approach"],
            style=data["style"],
            engagement=data["engagement"],
            trust=data["trust"],
            topics=list(data["topics"]),
            next_steps=data["next_steps"],
            private_notes=data["private_notes"],
            summary=data["summary"],
        )

    def clean(self):
        cleaned = super().clean()
        when = self.starts_at()
        if when is not None and when > timezone.now() and "start_time" not in self.errors:
            self.add_error(
                "start_time", "A session cannot be recorded as held before it has started"
            )
        return cleaned


def warnings_digest(warnings) -> str:
    """A short fingerprint of the warnings a page showed: confirming them confirms those
    warnings only, not different ones that a changed plan would raise."""
    return hashlib.sha256("\n".join(warnings).encode()).hexdigest()[:32]


class PlanForm(WhenMixin, SessionForm):
    """Scheduling a session, or changing a planned one."""

    date = GovUKDateField(label="Date", what="the date of the session", allow_future=True)
    start_time = _time("Start time", "the start time")
    duration_minutes = _minutes("Length, in minutes", what="the length", minimum=1)
    place_type = _place_field()
    area = forms.ModelChoiceField(
        label="Area",
        queryset=Area.objects.offered(),
        required=False,
        empty_label="Not given",
        help_text="Where the session will be. Some people's licence conditions exclude areas.",
        error_messages={"invalid_choice": "Select an area from the list"},
    )
    others_expected = forms.CharField(
        label="Anyone else you expect to be there",
        required=False,
        max_length=300,
        help_text="Names of other people who may join, if any. Some people's licence "
        "conditions forbid contact with named people.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"max_length": "Names of others must be 300 characters or fewer"},
    )
    # The fingerprint of the warnings the mentor confirmed (empty until they do).
    warnings_seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        soon = timezone.localdate() + dt.timedelta(days=7)
        self.fields["date"].help_text = f"For example, {soon.day}/{soon.month}/{soon.year}"

    def clean(self):
        cleaned = super().clean()
        when = self.starts_at()
        if when is not None and when <= timezone.now() and "date" not in self.errors:
            self.add_error("date", "The session must be at a time still to come")
        return cleaned

    def arrangements(self, session=None) -> Arrangements:
        data = self.cleaned_data
        return Arrangements(
            starts_at=self.starts_at(),
            place_type=data["place_type"],
            duration_minutes=data["duration_minutes"],
            travel_minutes=session.travel_minutes if session else 0,
            family_present=session.family_present if session else False,
            professional_present=session.professional_present if session else False,
            area=data.get("area"),
            others_expected=" ".join((data.get("others_expected") or "").split()),
        )

    def confirms(self, warnings) -> bool:
        """Whether the mentor confirmed exactly these warnings."""
        return bool(warnings) and self.cleaned_data.get("warnings_seen") == warnings_digest(
            warnings
        )


class ScheduleForm(PlanForm):
    repeat = forms.ChoiceField(
        label="Does it repeat?",
        choices=REPEAT_CHOICES,
        widget=forms.RadioSelect,
        initial="once",
        error_messages={
            "required": "Select whether the session repeats",
            "invalid_choice": "Select whether the session repeats from the list",
        },
    )
    count = forms.IntegerField(
        label="How many sessions in all",
        min_value=1,
        max_value=MAX_SERIES,
        initial=1,
        required=False,
        help_text=f"For a repeating session: up to {MAX_SERIES}, counting the first.",
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "invalid": "Enter how many sessions as a number, like 6",
            "min_value": "Enter at least 1 session",
            "max_value": f"A series can have at most {MAX_SERIES} sessions",
        },
    )

    def clean_count(self):
        return self.cleaned_data.get("count") or 1


class RescheduleForm(WhenMixin, SessionForm):
    date = GovUKDateField(label="New date", what="the new date", allow_future=True)
    start_time = _time("New start time", "the new start time")

    def clean(self):
        cleaned = super().clean()
        when = self.starts_at()
        if when is not None and when <= timezone.now() and "date" not in self.errors:
            self.add_error("date", "The new time must be still to come")
        return cleaned


class CancelForm(SessionForm):
    prefix = "cancel"

    cancelled_by = forms.ChoiceField(
        label="Who cancelled it?",
        choices=CancelledBy.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select who cancelled the session",
            "invalid_choice": "Select who cancelled the session from the list",
        },
    )


class MissedForm(SessionForm):
    prefix = "missed"


class BriefForm(GovUKForm):
    use_required_attribute = False

    preferred_name = forms.CharField(
        label="Preferred first name",
        required=False,
        max_length=100,
        help_text="What the person likes to be called.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"max_length": "The preferred name must be 100 characters or fewer"},
    )
    contact_details = forms.CharField(
        label="How to contact them",
        required=False,
        max_length=2000,
        help_text="Phone number, best times, who to go through for a child. Only the mentor "
        "and coordinators read this.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Contact details must be 2,000 characters or fewer"},
    )
    risks_to_mentor = forms.CharField(
        label="Risks to the mentor",
        required=False,
        max_length=5000,
        help_text="What the mentor should know to stay safe: places to avoid, people, "
        "behaviour. Only the mentor and coordinators read this.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "Risks to the mentor must be 5,000 characters or fewer"},
    )
