"""The shape of what people type about concerns. Rules (who may raise about what, which
moves the lifecycle allows, sign-off) live in the services."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.core.forms import GovUKDateField, GovUKForm, GovUKModelForm, VersionField

from .models import (
    Agency,
    CaseArrangement,
    ConcernCategory,
    EscalationMethod,
    Outcome,
    SafeguardingPolicy,
    Urgency,
)

URGENCY_HINTS = {
    Urgency.IMMEDIATE: "Someone may be in danger now",
    Urgency.URGENT: "It needs a response today",
    Urgency.STANDARD: "It needs a response within days",
}
ABOUT_ME = "me"
MAX_DETAILS = 10_000
MAX_MINUTES = 7 * 24 * 60


def _choice(label, choices, what, **kwargs):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": f"Select {what}",
            "invalid_choice": f"Choose {what} from the list",
        },
        **kwargs,
    )


class RaiseForm(GovUKForm):
    """Raising a concern. ``subjects`` (value, label) are the cases the user may raise a
    concern about, plus "about my own safety" for a mentor; left out when the page is
    already about one case or session."""

    use_required_attribute = False

    def __init__(self, *args, subjects: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if subjects is not None:
            self.fields["about"] = _choice(
                "Who is the concern about?", subjects, "who the concern is about"
            )
            self.order_fields(["about"])
        self.fields["category"].queryset = ConcernCategory.objects.filter(is_active=True)

    category = forms.ModelChoiceField(
        label="What kind of concern is it?",
        queryset=ConcernCategory.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Select what kind of concern it is",
            "invalid_choice": "Select what kind of concern it is from the list",
        },
    )
    urgency = _choice(
        "How urgent is it?",
        [(value, f"{label}: {URGENCY_HINTS[value]}") for value, label in Urgency.choices],
        "how urgent it is",
        help_text="If someone is in immediate danger, call 999 first.",
    )
    details = forms.CharField(
        label="What did you see or hear?",
        help_text="Say what happened, when, and what was said, in the words used if you can. "
        "Only the safeguarding lead, coordinators and you can read this.",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=MAX_DETAILS,
        error_messages={
            "required": "Say what you saw or heard",
            "max_length": f"What you saw or heard must be {MAX_DETAILS:,} characters or fewer",
        },
    )


class ActionForm(GovUKForm):
    """Acknowledge, record as actioned, resolve, reopen: nothing to type but the version."""

    use_required_attribute = False
    version = VersionField()


class EscalateForm(ActionForm):
    agency = forms.ModelChoiceField(
        label="Who was the concern escalated to?",
        queryset=Agency.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Select who the concern was escalated to",
            "invalid_choice": "Select who the concern was escalated to from the list",
        },
    )
    method = _choice("How?", EscalationMethod.choices, "how the concern was escalated")
    date = GovUKDateField(label="Date", what="the date of the escalation", required=False)
    agency_reference = forms.CharField(
        label="Their reference (optional)",
        required=False,
        max_length=100,
        help_text="The receiving agency's reference, if they gave one.",
        error_messages={"max_length": "Their reference must be 100 characters or fewer"},
    )
    case_arrangement = _choice(
        "What happens to mentoring?",
        CaseArrangement.choices,
        "what happens to mentoring",
        initial=CaseArrangement.CONTINUES,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(is_active=True)
        self.fields["date"].help_text = "Leave empty for today. For example, 27/3/2026"

    def escalated_at(self) -> dt.datetime | None:
        day = self.cleaned_data.get("date")
        if day is None or day == timezone.localdate():
            return None  # now
        return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


class CloseForm(ActionForm):
    outcome = _choice("Outcome", Outcome.choices, "the outcome")
    outcome_notes = forms.CharField(
        label="What was done and why it can close (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_DETAILS,
        error_messages={"max_length": f"Keep this to {MAX_DETAILS:,} characters or fewer"},
    )
    signed_off = forms.BooleanField(
        label="I sign off this concern as the safeguarding lead",
        error_messages={"required": "Confirm that you sign off the concern"},
    )


class UrgencyForm(ActionForm):
    urgency = _choice("Urgency", Urgency.choices, "the urgency")


class DecisionForm(GovUKForm):
    use_required_attribute = False
    escalation = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    decision = forms.CharField(
        label="What did the agency decide?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_DETAILS,
        error_messages={
            "required": "Say what the agency decided",
            "max_length": f"Keep this to {MAX_DETAILS:,} characters or fewer",
        },
    )
    agency_reference = forms.CharField(
        label="Their reference (optional)",
        required=False,
        max_length=100,
        error_messages={"max_length": "Their reference must be 100 characters or fewer"},
    )


def _minutes(label, what, minimum=1):
    return forms.IntegerField(
        label=label,
        min_value=minimum,
        max_value=MAX_MINUTES,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
        error_messages={
            "required": f"Enter {what}",
            "invalid": f"Enter {what} as a whole number",
            "min_value": f"Enter at least {minimum}",
            "max_value": f"Enter at most {MAX_MINUTES} (a week)",
        },
    )


class PolicyForm(GovUKModelForm):
    immediate_minutes = _minutes(
        "Acknowledge an immediate concern within (minutes)", "a number of minutes"
    )
    urgent_minutes = _minutes(
        "Acknowledge an urgent concern within (minutes)", "a number of minutes"
    )
    standard_working_days = forms.IntegerField(
        label="Acknowledge a standard concern within (working days)",
        min_value=1,
        max_value=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}),
        error_messages={
            "required": "Enter a number of working days",
            "invalid": "Enter a whole number of working days",
            "min_value": "Enter at least 1",
            "max_value": "Enter at most 20",
        },
    )
    warn_minutes = _minutes(
        "Alert the lead this many minutes before a deadline", "a number of minutes", minimum=0
    )
    repeat_minutes = _minutes(
        "Repeat a missed-deadline alert every (minutes)", "a number of minutes", minimum=5
    )
    deputy = forms.ModelChoiceField(
        label="Deputy lead (for the lead's absence)",
        queryset=User.objects.none(),
        required=False,
        empty_label="No deputy",
        error_messages={"invalid_choice": "Select a safeguarding lead from the list"},
    )

    class Meta:
        model = SafeguardingPolicy
        fields = [
            "immediate_minutes",
            "urgent_minutes",
            "standard_working_days",
            "warn_minutes",
            "repeat_minutes",
            "deputy",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deputy"].queryset = (
            User.objects.filter(is_active=True, role_grants__role=Role.SAFEGUARDING_LEAD)
            .distinct()
            .order_by("full_name")
        )
        self.fields["deputy"].label_from_instance = lambda user: user.full_name
