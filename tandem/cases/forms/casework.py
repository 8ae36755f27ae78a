"""Forms that change a case: screening, consent and its withdrawal, status changes and
the decision on a possible duplicate. Each carries the case's version as the user saw
it, so a form posted from a stale page is refused rather than applied."""

from __future__ import annotations

import datetime as dt

from django import forms

from tandem.core.forms import GovUKForm, VersionField

from ..ages import is_child_on
from ..lifecycle import Action
from ..models import (
    Case,
    ConsentDecision,
    ConsentGiver,
    ConsentMethod,
    DuplicateDecision,
    Pathway,
    ScreeningOutcome,
)
from ..services.lifecycle import REASON_REQUIRED
from .referrals import DayField, text


class ReasonField(forms.CharField):
    """Shown without "(optional)": whether it is needed depends on another answer,
    which the form's ``clean`` (and the service) decide."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 4}))
        super().__init__(required=True, **kwargs)

    def validate(self, value):
        pass


class CaseForm(GovUKForm):
    """A form that changes ``case``: carries the version the user saw."""

    # Browsers must not demand answers that only some choices need.
    use_required_attribute = False

    version = VersionField()

    def __init__(self, *args, case: Case, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("version", case.version)
        super().__init__(*args, **kwargs)
        self.case = case


# Screening -----------------------------------------------------------------------------


class ScreeningForm(CaseForm):
    outcome = forms.ChoiceField(
        label="Outcome of the screening",
        choices=ScreeningOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the outcome of the screening",
            "invalid_choice": "Select an outcome from the list",
        },
    )
    reason = ReasonField(
        label="Reason for screening out",
        max_length=2000,
        help_text="Needed when the referral is not appropriate: the case then ends as not "
        "suitable. The reason goes on the case's timeline.",
        error_messages={"max_length": "The reason must be 2,000 characters or fewer"},
    )
    notes = text(
        "Screening notes",
        required=None,
        max_length=5000,
        textarea=True,
        help_text="What the screening found. Only coordinators can read these.",
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("outcome") == ScreeningOutcome.NOT_APPROPRIATE
            and not (cleaned.get("reason") or "").strip()
        ):
            self.add_error("reason", "Enter why the referral is not appropriate")
        return cleaned


# Consent -------------------------------------------------------------------------------


class ConsentForm(CaseForm):
    decision = forms.ChoiceField(
        label="Decision",
        choices=ConsentDecision.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether consent was given or declined",
            "invalid_choice": "Select a decision from the list",
        },
    )
    given_by = forms.ChoiceField(
        label="Who gave or declined consent?",
        choices=ConsentGiver.choices,
        widget=forms.RadioSelect,
        help_text="For a person under 18, a parent or a guardian or carer with parental "
        "responsibility.",
        error_messages={
            "required": "Select who gave or declined consent",
            "invalid_choice": "Select who gave or declined consent from the list",
        },
    )
    giver_name = text(
        "Their name",
        required="Enter the name of the person who gave or declined consent",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    decided_on = DayField(label="Date of the decision", what="the date of the decision")
    method = forms.ChoiceField(
        label="How was it given or declined?",
        choices=ConsentMethod.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how consent was given or declined",
            "invalid_choice": "Select how from the list",
        },
    )
    capacity_note = text(
        "Capacity note",
        required=None,
        max_length=2000,
        textarea=True,
        help_text="Whoever decided understood what they agreed to or declined: note "
        "anything about their capacity to decide, and any support they needed.",
    )

    def clean_giver_name(self):
        value = " ".join(self.cleaned_data["giver_name"].split())
        if not value:
            raise forms.ValidationError(self.fields["giver_name"].error_messages["required"])
        return value

    def clean(self):
        cleaned = super().clean()
        decided_on = cleaned.get("decided_on")
        day = decided_on if isinstance(decided_on, dt.date) else None
        if cleaned.get("given_by") == ConsentGiver.PERSON and (
            is_child_on(self.case, day) if day else self.case.is_child
        ):
            self.add_error(
                "given_by",
                "The person is under 18: select a parent, or a guardian or carer with "
                "parental responsibility",
            )
        return cleaned


class ConsentWithdrawForm(CaseForm):
    withdrawn_on = DayField(
        label="Date consent was withdrawn", what="the date consent was withdrawn"
    )
    reason = text(
        "Reason for the withdrawal",
        required="Enter the reason consent was withdrawn",
        max_length=2000,
        textarea=True,
        help_text="It goes on the case's timeline, which only coordinators read.",
    )

    def clean_reason(self):
        value = self.cleaned_data["reason"].strip()
        if not value:
            raise forms.ValidationError(self.fields["reason"].error_messages["required"])
        return value


# Status changes ------------------------------------------------------------------------


class StatusChangeForm(CaseForm):
    action = forms.ChoiceField(
        label="What has happened?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the change of status",
            "invalid_choice": "Select a change this case can make now",
        },
    )
    reason = ReasonField(
        label="Reason",
        max_length=2000,
        help_text="Needed when putting the case on hold or escalating it to statutory "
        "services. It goes on the case's timeline.",
        error_messages={"max_length": "The reason must be 2,000 characters or fewer"},
    )

    def __init__(self, *args, actions: list[Action], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(a.name, a.label) for a in actions]

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action in REASON_REQUIRED and not (cleaned.get("reason") or "").strip():
            label = dict(self.fields["action"].choices)[action].lower()
            self.add_error("reason", f"Enter the reason for “{label}”")
        return cleaned


# Possible duplicates -------------------------------------------------------------------


class DuplicateDecisionForm(CaseForm):
    decision = forms.ChoiceField(
        label="Is this the same person?",
        choices=[
            (DuplicateDecision.DIFFERENT, "A different person"),
            (DuplicateDecision.SAME, "The same person"),
        ],
        widget=forms.RadioSelect,
        help_text="Deciding that it is the same person records the decision only: the two "
        "cases are not merged.",
        error_messages={
            "required": "Select whether this is a different person or the same person",
            "invalid_choice": "Select an answer from the list",
        },
    )
    reason = text(
        "Notes on the decision",
        required=None,
        max_length=2000,
        textarea=True,
        help_text="For example, what you checked. It goes on the case's timeline.",
    )


class PathwayForm(CaseForm):
    pathway = forms.ChoiceField(
        label="Pathway",
        choices=Pathway.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the pathway",
            "invalid_choice": "Select a pathway from the list",
        },
    )
    reason = text(
        "Reason for the change",
        required="Enter the reason for changing the pathway",
        max_length=2000,
        textarea=True,
        help_text="It goes on the case's timeline; only people who can read the case see it.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("pathway") == self.case.pathway and "pathway" not in self.errors:
            self.add_error(
                "pathway",
                f"The case is already on the {self.case.get_pathway_display().lower()} "
                "pathway: select the other one",
            )
        if "reason" in cleaned and not cleaned["reason"].strip():
            self.add_error("reason", "Enter the reason for changing the pathway")
        return cleaned
