"""Input shapes for contact monitoring, lone working and the calendar feed."""

from __future__ import annotations

from django import forms

from tandem.core.forms import GovUKForm

from ..models import CheckInOutcome, CheckInWith

NOTE_MAX = 2000


class CheckInForm(GovUKForm):
    """A coordinator's check-in on a case whose contact is overdue."""

    use_required_attribute = False

    contacted = forms.ChoiceField(
        label="Who did you contact?",
        choices=CheckInWith.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose who you contacted",
            "invalid_choice": "Choose who you contacted",
        },
    )
    outcome = forms.ChoiceField(
        label="What happened?",
        choices=CheckInOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what happened",
            "invalid_choice": "Choose what happened",
        },
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=NOTE_MAX,
        help_text="Coordinators read this note. It is kept encrypted with the case and is "
        "never sent in emails or notifications.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "The note must be 2,000 characters or fewer"},
    )


class ActionForm(GovUKForm):
    """A button that asks nothing (check in, check out, acknowledge, create a feed);
    carries a refusal back to the page as a non-field error."""
