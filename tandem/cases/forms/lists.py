"""The case list's filter form: the shape of a GET query, nothing more.

Catalogue choices (concern types, areas) are loaded once when the form is built, so
cleaning never queries and a bad value such as ``?area=abc`` is an ordinary validation
error, never a database error or a server error.
"""

from __future__ import annotations

import re

from django import forms

from tandem.catalogues.models import Area, ConcernType
from tandem.core.forms import GovUKFilterForm

from ..models import CaseStatus, Urgency

ANY = ""

REFERENCE_RE = re.compile(r"^T-\d{4}-\d{4,}$")

# Weeks a case has been waiting: since referral, or since it began waiting for a match.
WAITING_WEEKS = {"2": 2, "4": 4, "8": 8}
WAITING_CHOICES = [(ANY, "Any")] + [
    (key, f"More than {n} weeks") for key, n in WAITING_WEEKS.items()
]

SORTS = {
    "received_desc": "Date received (newest first)",
    "received_asc": "Date received (oldest first)",
    "urgency": "Urgency, then longest waiting",
    "status": "Status (lifecycle order)",
}
DEFAULT_SORT = "received_desc"


def _any(label: str, choices) -> list[tuple]:
    return [(ANY, label), *choices]


class CaseFilterForm(GovUKFilterForm):
    reference = forms.CharField(
        label="Case reference",
        help_text="For example, T-2026-0042",
        required=False,
        max_length=20,
        error_messages={"max_length": "Enter a case reference in the format T-2026-0042"},
    )
    status = forms.MultipleChoiceField(
        label="Status",
        required=False,
        choices=CaseStatus.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select statuses from the list"},
    )
    concern_type = forms.TypedChoiceField(
        label="Concern type",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Select a concern type from the list"},
    )
    urgency = forms.ChoiceField(
        label="Urgency",
        required=False,
        choices=_any("Any", Urgency.choices),
        error_messages={"invalid_choice": "Select an urgency from the list"},
    )
    area = forms.TypedChoiceField(
        label="Area",
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Select an area from the list"},
    )
    waiting = forms.ChoiceField(
        label="Waiting time",
        help_text=(
            "Since referral, or since the case began waiting for a match. Only cases "
            "still waiting for support are counted."
        ),
        required=False,
        choices=WAITING_CHOICES,
        error_messages={"invalid_choice": "Select a waiting time from the list"},
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=list(SORTS.items()),
        error_messages={"invalid_choice": "Select a sort order from the list"},
    )

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.fields["concern_type"].choices = _any(
            "Any concern type", ConcernType.objects.values_list("pk", "name")
        )
        self.fields["area"].choices = _any("Any area", Area.objects.values_list("pk", "name"))

    def clean_reference(self) -> str:
        value = "".join(self.cleaned_data.get("reference", "").split()).upper()
        if value and not REFERENCE_RE.match(value):
            raise forms.ValidationError("Enter a case reference in the format T-2026-0042")
        return value

    def filters(self) -> dict:
        """The valid filters only: a bad value in one field does not discard the others."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if value}
        data.setdefault("sort", DEFAULT_SORT)
        return data
