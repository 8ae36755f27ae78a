"""Forms on a case's matching pages: proposing a mentor, and the matching needs.

Both carry the case's version as the page showed it, so one posted from a stale page
is refused rather than applied.
"""

from __future__ import annotations

from django import forms

from tandem.cases.forms.casework import CaseForm
from tandem.cases.models import MentorGenderPreference
from tandem.catalogues.forms import offered_or_current
from tandem.catalogues.models import Area, Faith, Language, Specialism
from tandem.mentors.models import DayPart, Mentor, MentorStatus, Weekday

from ..models import CaseNeeds
from ..needs import availability_mask, availability_slots

PROPOSE_INCOMPLETE = "Choose a mentor from the suggestions. Reload the page and try again."


class ProposeForm(CaseForm):
    """Propose one of the suggested mentors: sent by the button beside each."""

    mentor = forms.ModelChoiceField(
        queryset=Mentor.objects.filter(status=MentorStatus.ACTIVE),
        widget=forms.HiddenInput,
        error_messages={"required": PROPOSE_INCOMPLETE, "invalid_choice": PROPOSE_INCOMPLETE},
    )


def _slot_value(weekday: int, part: str) -> str:
    return f"{weekday}-{part}"


AVAILABILITY_CHOICES = [
    (_slot_value(day.value, part.value), f"{day.label} {part.label.lower()}")
    for day in Weekday
    for part in DayPart
]


class NeedsForm(CaseForm):
    languages = forms.ModelMultipleChoiceField(
        label="Languages the person can be mentored in",
        queryset=Language.objects.offered(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The mentor must speak at least one of them, unless an interpreter is "
        "needed. Select none if any language will do.",
        error_messages={"invalid_choice": "Select languages from the list"},
    )
    interpreter_needed = forms.BooleanField(
        label="An interpreter is needed",
        required=False,
        help_text="The mentor then need not speak the person's languages.",
    )
    preferred_language = forms.ModelChoiceField(
        label="Preferred language for sessions",
        queryset=Language.objects.offered(),
        required=False,
        empty_label="No preference",
        help_text="A mentor who speaks it fluently scores higher.",
        error_messages={"invalid_choice": "Select a language from the list, or “No preference”"},
    )
    mentor_gender_preference = forms.ChoiceField(
        label="Mentor's gender",
        choices=MentorGenderPreference.choices,
        widget=forms.RadioSelect,
        help_text="When the person needs a mentor of a particular gender, only mentors of "
        "that gender are suggested.",
        error_messages={
            "required": "Select the mentor's gender the person needs, or “No preference”",
            "invalid_choice": "Select the mentor's gender from the list",
        },
    )
    requested_faith = forms.ModelChoiceField(
        label="Faith the person asked their mentor to share",
        queryset=Faith.objects.offered(),
        required=False,
        empty_label="No request",
        help_text="Only when the person asked for it. A mentor of this faith scores higher.",
        error_messages={"invalid_choice": "Select a faith from the list, or “No request”"},
    )
    required_specialism = forms.ModelChoiceField(
        label="Specialism the mentor must have",
        queryset=Specialism.objects.offered(),
        required=False,
        empty_label="None",
        help_text="For example theology, when the person's questions call for it. Only "
        "mentors with it are suggested.",
        error_messages={"invalid_choice": "Select a specialism from the list, or “None”"},
    )
    area = forms.ModelChoiceField(
        label="Area where the person lives",
        queryset=Area.objects.offered(),
        required=False,
        empty_label="Not known",
        help_text="Mentors who work there, or within their travel distance of it, can meet "
        "in person.",
        error_messages={"invalid_choice": "Select an area from the list, or “Not known”"},
    )
    accepts_online = forms.BooleanField(
        label="Online sessions are acceptable to the person",
        required=False,
        help_text="A mentor outside travel distance who offers online sessions can then "
        "be suggested.",
    )
    availability = forms.MultipleChoiceField(
        label="When can the person meet?",
        choices=AVAILABILITY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select times from the grid"},
    )

    def __init__(self, *args, case, **kwargs):
        initial = kwargs.setdefault("initial", {})
        for name, value in needs_initial(case).items():
            initial.setdefault(name, value)
        super().__init__(*args, case=case, **kwargs)
        # A retired entry the case still holds stays selectable, so saving keeps it.
        needs = CaseNeeds.of(case)
        self.fields["languages"].queryset = offered_or_current(Language, case.languages.all())
        for name, model, current in (
            ("preferred_language", Language, case.preferred_language_id),
            ("area", Area, case.area_id),
            ("requested_faith", Faith, needs.requested_faith_id),
            ("required_specialism", Specialism, needs.required_specialism_id),
        ):
            self.fields[name].queryset = offered_or_current(model, current)

    def availability_grid(self) -> list[dict]:
        """One row per weekday with its morning, afternoon and evening checkboxes."""
        options = list(self["availability"])
        per_day = len(DayPart.values)
        return [
            {"day": day.label, "options": options[i * per_day : (i + 1) * per_day]}
            for i, day in enumerate(Weekday)
        ]

    def clean(self):
        cleaned = super().clean()
        preferred = cleaned.get("preferred_language")
        languages = cleaned.get("languages")
        if preferred is not None and languages and preferred not in languages:
            self.add_error(
                "preferred_language",
                f"Select {preferred.name} among the languages the person can be mentored "
                "in too, or choose “No preference”",
            )
        return cleaned

    def cleaned_needs(self) -> dict:
        """The shape ``services.case_needs_update`` takes."""
        c = self.cleaned_data
        slots = []
        for value in c["availability"]:
            weekday, part = value.split("-", 1)
            slots.append((int(weekday), part))
        return {
            "languages": list(c["languages"]),
            "interpreter_needed": c["interpreter_needed"],
            "preferred_language": c["preferred_language"],
            "mentor_gender_preference": c["mentor_gender_preference"],
            "requested_faith": c["requested_faith"],
            "required_specialism": c["required_specialism"],
            "area": c["area"],
            "accepts_online": c["accepts_online"],
            "availability": availability_mask(slots),
        }


def needs_initial(case) -> dict:
    needs = CaseNeeds.of(case)
    return {
        "languages": [language.pk for language in case.languages.all()],
        "interpreter_needed": case.interpreter_needed,
        "preferred_language": case.preferred_language_id,
        "mentor_gender_preference": case.mentor_gender_preference,
        "requested_faith": needs.requested_faith_id,
        "required_specialism": needs.required_specialism_id,
        "area": case.area_id,
        "accepts_online": case.accepts_online,
        "availability": [
            _slot_value(day, part) for day, part in availability_slots(needs.availability)
        ],
    }
