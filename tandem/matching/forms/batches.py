"""Changing one pair of a batch proposal: the coordinator chooses among the allowed
mentors for the case, each shown with its effect on the batch total."""

from __future__ import annotations

from django import forms

from tandem.core.forms import GovUKForm


class ChangePairForm(GovUKForm):
    """One radio per alternative mentor; the value is the mentor's id."""

    mentor = forms.TypedChoiceField(
        label="Mentor for this case",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a mentor for this case",
            "invalid_choice": "Choose one of the mentors listed",
        },
    )

    def __init__(self, *args, alternatives=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].choices = [
            (option.mentor.pk, option.mentor.full_name) for option in alternatives
        ]
