"""Forms that change a case: screening, consent and its withdrawal, status changes and
the decision on a possible duplicate. Each carries the case's version as the user saw
it, so a form posted from a stale page is refused rather than applied."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from tandem.core.forms import GovUKForm, VersionField

from ..ages import age_of
from ..consent_rule import COMPETENT_CHILD, OLDER_CHILD, current_rule
from ..lifecycle import Action
from ..models import (
    Case,
    ChildAgreement,
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
    """Consent given or declined, following the consent rule (``consent_rule``): the
    page shows the rule's reasons for the person's age, and the questions for an older
    child's capacity or a younger child's own agreement."""

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
        "responsibility, unless a 16- or 17-year-old with capacity decides for themself.",
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
    capacity_confirmed = forms.BooleanField(
        label="The young person has the capacity to decide for themself",
        required=False,
        help_text="Only for a 16- or 17-year-old consenting themself: they understand what "
        "mentoring involves, what is recorded and shared, and that they can stop at any time.",
    )
    child_agreement = forms.ChoiceField(
        label="The child's own agreement",
        choices=ChildAgreement.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="Only for a younger child judged competent by a named professional: "
        "recorded alongside the parent's or guardian's decision.",
        error_messages={"invalid_choice": "Select whether the child agrees from the list"},
    )
    competence_assessed_by = text(
        "Who judged the child competent",
        required=None,
        max_length=200,
        help_text="Their name and role, for example “Aisha Rahman, designated safeguarding lead”.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    competence_assessed_on = DayField(
        label="Date the child was judged competent",
        what="the date the child was judged competent",
        required=False,
    )
    capacity_note = text(
        "Capacity note",
        required=None,
        max_length=2000,
        textarea=True,
        help_text="Whoever decided understood what they agreed to or declined: note "
        "anything about their capacity to decide, and any support they needed.",
    )

    def __init__(self, *args, case: Case, **kwargs):
        initial = kwargs.setdefault("initial", {})
        # The guardian named in the referral, for a child.
        if case.is_child and case.guardian_name:
            initial.setdefault("giver_name", case.guardian_name)
            relationship = case.guardian_relationship.lower()
            initial.setdefault(
                "given_by",
                ConsentGiver.PARENT
                if relationship in {"mother", "father", "parent", "mum", "dad"}
                else ConsentGiver.GUARDIAN,
            )
        super().__init__(*args, case=case, **kwargs)
        self.rule = current_rule()
        self.band = self.rule.band_for(age_of(case, timezone.localdate()))
        if self.band != OLDER_CHILD:
            del self.fields["capacity_confirmed"]
        if self.band != COMPETENT_CHILD:
            for name in ("child_agreement", "competence_assessed_by", "competence_assessed_on"):
                del self.fields[name]

    @property
    def reasons(self) -> list[str]:
        return self.rule.reasons(self.band)

    def clean_giver_name(self):
        value = " ".join(self.cleaned_data["giver_name"].split())
        if not value:
            raise forms.ValidationError(self.fields["giver_name"].error_messages["required"])
        return value

    def clean(self):
        cleaned = super().clean()
        decided_on = cleaned.get("decided_on")
        day = decided_on if isinstance(decided_on, dt.date) else timezone.localdate()
        band = self.rule.band_for(age_of(self.case, day))
        given_by = cleaned.get("given_by")
        if given_by == ConsentGiver.PERSON and not self.rule.person_may_consent(band):
            self.add_error(
                "given_by",
                f"The person is under {self.rule.self_age}: select a parent, or a guardian or "
                "carer with parental responsibility",
            )
        if (
            given_by == ConsentGiver.PERSON
            and band == OLDER_CHILD
            and "capacity_confirmed" in self.fields
            and not cleaned.get("capacity_confirmed")
        ):
            self.add_error(
                "capacity_confirmed",
                "Confirm that the young person has the capacity to decide, or select a "
                "parent or a guardian or carer",
            )
        agreement = cleaned.get("child_agreement")
        if agreement and "child_agreement" in self.fields:
            if not (cleaned.get("competence_assessed_by") or "").strip():
                self.add_error(
                    "competence_assessed_by",
                    "Enter who judged the child competent",
                )
            if not cleaned.get("competence_assessed_on") and not self.has_error(
                "competence_assessed_on"
            ):
                self.add_error(
                    "competence_assessed_on", "Enter the date the child was judged competent"
                )
            if (
                agreement == ChildAgreement.DID_NOT_AGREE
                and cleaned.get("decision") == ConsentDecision.GIVEN
            ):
                self.add_error(
                    "child_agreement",
                    "A competent child who does not agree is not taken on: record the "
                    "decision as declined",
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
