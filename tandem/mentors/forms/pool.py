"""The pool's filter form: the shape of a GET query, nothing more.

Catalogue choices (languages, areas, specialisms, levels) are loaded once when the
form is built, so cleaning never queries and a bad value such as ``?area=abc`` is an
ordinary validation error rather than a database error.
"""

from __future__ import annotations

from django import forms

from tandem.catalogues.models import Area, Language, Specialism
from tandem.core.forms import GovUKFilterForm

from ..models import AccreditationLevel, AgeBand, Gender, MentorStatus, Proficiency

ANY = ""
YES = "yes"
NO = "no"
NO_CURRENT = "none"

YES_NO = [(ANY, "Any"), (YES, "Yes"), (NO, "No")]

SORTS = {
    "name": "Name (A to Z)",
    "status": "Status (pipeline order)",
    "applied_desc": "Date applied (newest first)",
    "applied_asc": "Date applied (oldest first)",
}
DEFAULT_SORT = "name"


def _any(label: str, choices) -> list[tuple[str, str]]:
    return [(ANY, label), *choices]


class PoolFilterForm(GovUKFilterForm):
    quoted_fields = ("q",)
    # A proficiency means nothing without its language.
    removes_also = {"language": ("proficiency",)}

    q = forms.CharField(
        label="Name or email address",
        required=False,
        max_length=100,
        error_messages={"max_length": "Name or email address must be 100 characters or fewer"},
    )
    status = forms.MultipleChoiceField(
        label="Status",
        required=False,
        choices=MentorStatus.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select statuses from the list"},
    )
    matchable = forms.ChoiceField(
        label="Can take a case today",
        required=False,
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select whether the mentor can take a case today"},
    )
    language = forms.TypedChoiceField(
        label="Language",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Select a language from the list"},
    )
    proficiency = forms.ChoiceField(
        label="Minimum proficiency in that language",
        required=False,
        choices=_any("Any", Proficiency.choices),
        error_messages={"invalid_choice": "Select a proficiency from the list"},
    )
    gender = forms.ChoiceField(
        label="Gender",
        required=False,
        choices=_any("Any", [*Gender.choices, (NO_CURRENT, "Not recorded")]),
        error_messages={"invalid_choice": "Select a gender from the list"},
    )
    age_band = forms.ChoiceField(
        label="Age band",
        required=False,
        choices=_any("Any", [*AgeBand.choices, (NO_CURRENT, "Not recorded")]),
        error_messages={"invalid_choice": "Select an age band from the list"},
    )
    specialism = forms.TypedChoiceField(
        label="Specialism",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Select a specialism from the list"},
    )
    area = forms.TypedChoiceField(
        label="Area served",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Select an area from the list"},
    )
    online = forms.ChoiceField(
        label="Offers online sessions",
        required=False,
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select whether the mentor offers online sessions"},
    )
    lived_experience = forms.ChoiceField(
        label="Lived experience",
        required=False,
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select whether the mentor has lived experience"},
    )
    accreditation = forms.ChoiceField(
        label="Current accreditation",
        required=False,
        error_messages={"invalid_choice": "Select an accreditation level from the list"},
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=list(SORTS.items()),
        error_messages={"invalid_choice": "Select a sort order from the list"},
    )

    RADIO_FIELDS = ("matchable", "online", "lived_experience")

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            # A radio group left out of the query means "Any": show that option selected.
            data = data.copy()
            for name in self.RADIO_FIELDS:
                data.setdefault(name, ANY)
        super().__init__(data, *args, **kwargs)
        self.fields["language"].choices = _any(
            "Any language", Language.objects.values_list("pk", "name")
        )
        self.fields["specialism"].choices = _any(
            "Any specialism", Specialism.objects.values_list("pk", "name")
        )
        self.fields["area"].choices = _any("Any area", Area.objects.values_list("pk", "name"))
        self.fields["accreditation"].choices = _any(
            "Any",
            [
                *((level.code, level.name) for level in AccreditationLevel.objects.all()),
                (NO_CURRENT, "No current accreditation"),
            ],
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("proficiency") and not cleaned.get("language"):
            self.add_error("proficiency", "Select a language to filter by minimum proficiency")
        return cleaned

    def filters(self) -> dict:
        """The valid filters only: a bad value in one field does not discard the others."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if value}
        data.setdefault("sort", DEFAULT_SORT)
        return data
