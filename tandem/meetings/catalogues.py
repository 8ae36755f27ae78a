"""Meetings' own lists on the catalogue pages: where sessions happen and what they
talk about. Registered from ``MeetingsConfig.ready()``."""

from __future__ import annotations

from django import forms

from tandem.catalogues import forms as catalogue_forms
from tandem.catalogues import registry

from .models import MeetingMode, PlaceType, Topic

PLACE_TYPES = registry.Catalogue(
    "place-types",
    PlaceType,
    "Places of sessions",
    "place",
    "Where sessions happen: a community venue, a school, a prison, the person's home, "
    "online or by phone. A place that needs lone working asks the mentor to check in at "
    "the start and out at the end.",
)
TOPICS = registry.Catalogue(
    "topics",
    Topic,
    "Session topics",
    "topic",
    "What a session talked about, recorded for every held session and analysed against outcomes.",
)


class PlaceTypeForm(catalogue_forms.EntryForm):
    mode = forms.ChoiceField(
        label="How the session takes place",
        choices=MeetingMode.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how sessions at this place take place",
            "invalid_choice": "Select how sessions at this place take place",
        },
    )
    needs_lone_working = forms.BooleanField(
        label="The mentor checks in at the start and out at the end (lone working)",
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("needs_lone_working") and cleaned.get("mode") not in (
            None,
            MeetingMode.IN_PERSON,
        ):
            self.add_error(
                "needs_lone_working",
                "Only a place where people meet in person can need lone-working check-in",
            )
        return cleaned


def register() -> None:
    registry.register(PLACE_TYPES)
    registry.register(TOPICS)
    catalogue_forms.register_form(PLACE_TYPES.slug, PlaceTypeForm)
