"""Finding a person: the name typed in one box, and their date of birth if known."""

from __future__ import annotations

from django import forms

from tandem.core.forms import GovUKDateInputField, GovUKForm

from ..search import MAX_WORDS, name_splits


class PersonSearchForm(GovUKForm):
    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="Their first name and last name, spelled as on the referral",
        widget=forms.TextInput(
            attrs={"spellcheck": "false", "autocomplete": "off", "type": "search"}
        ),
        error_messages={
            "required": "Enter the person's first name and last name",
            "max_length": "Name must be 200 characters or fewer",
        },
    )
    date_of_birth = GovUKDateInputField(
        label="Date of birth",
        what="their date of birth",
        example="27 3 2009",
        required=False,
    )

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name_splits(name):
            raise forms.ValidationError(
                "Enter the person's first name and last name, for example Amina Rahman"
            )
        if len(name.split(" ")) > MAX_WORDS:
            raise forms.ValidationError(f"Name must be {MAX_WORDS} words or fewer")
        return name

    @property
    def used(self) -> list[str]:
        """The fields searched by (names, never the values), for the audit log."""
        return [f for f in ("name", "date_of_birth") if self.cleaned_data.get(f)]
