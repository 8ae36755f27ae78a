"""The referral form. Shape of input only: ``referral_submit`` checks the same rules
again and decides everything else."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from tandem.catalogues.ethnicity import EthnicityDescriptionField, EthnicityField
from tandem.catalogues.models import Area, ConcernType, Language, ReferralSource
from tandem.core.forms import GovUKDateField, GovUKDateInputField, GovUKForm

from ..ages import age_on
from ..models import PATHWAY_HINTS, ClientGender, MentorGenderPreference, Pathway, Urgency
from ..services.referrals import MAX_AGE

YES_NO = [("yes", "Yes"), ("no", "No")]
GUARDIAN_HINT = "Needed when the person is under 18."


DayField = GovUKDateField
# A date of birth: the GOV.UK date input (day, month and year in three boxes).
BirthDateField = GovUKDateInputField


def text(label: str, *, required: str | None, max_length: int, textarea=False, **kwargs):
    """A text question; ``required`` is the error shown when it is left empty, or None
    when it may be."""
    widget = forms.Textarea(attrs={"rows": 4}) if textarea else forms.TextInput()
    return forms.CharField(
        label=label,
        required=required is not None,
        max_length=max_length,
        widget=kwargs.pop("widget", widget),
        error_messages={
            **({"required": required} if required else {}),
            "max_length": f"{label.removesuffix('?')} must be {max_length:,} characters or fewer",
        },
        **kwargs,
    )


class NeededWhenField(forms.CharField):
    """A text answer needed only in some cases, which the form's ``clean`` decides:
    shown without "(optional)", with a hint saying when it is needed."""

    def __init__(self, *, label: str, max_length: int, help_text: str, **kwargs):
        kwargs.setdefault("widget", forms.TextInput())
        super().__init__(
            label=label,
            max_length=max_length,
            required=True,
            help_text=help_text,
            error_messages={"max_length": f"{label} must be {max_length:,} characters or fewer"},
            **kwargs,
        )

    def validate(self, value):
        pass


class DefaultedChoiceField(forms.ChoiceField):
    """A choice that starts on a default: left unanswered, the form's ``clean_<name>``
    gives the default (shown without "(optional)": the radio starts on it)."""

    def validate(self, value):
        if value not in self.empty_values:
            super().validate(value)


def _choice_errors(what: str) -> dict:
    return {
        "required": f"Select {what}",
        "invalid_choice": f"Select {what} from the list",  # noqa: S608 - not SQL
        "invalid_pk_value": f"Select {what} from the list",  # noqa: S608 - not SQL
    }


class ReferralForm(GovUKForm):
    # Browsers must not demand the guardian's details for adults.
    use_required_attribute = False

    # The person.
    first_name = text(
        "First name",
        required="Enter the person's first name",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    last_name = text(
        "Last name",
        required="Enter the person's last name",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    date_of_birth = BirthDateField(
        label="Date of birth", what="the person's date of birth", example="27 3 2009"
    )
    gender = forms.ChoiceField(
        label="Gender",
        choices=ClientGender.choices,
        widget=forms.RadioSelect,
        error_messages=_choice_errors("the person's gender, or not known"),
    )
    area = forms.ModelChoiceField(
        label="Area",
        queryset=Area.objects.offered(),
        required=False,
        empty_label="Not known or outside the scheme's areas",
        help_text="Where the person lives.",
        error_messages=_choice_errors("an area"),
    )

    # Diversity monitoring: voluntary; only coordinators see the answer once submitted.
    ethnicity = EthnicityField(label="The person's ethnic group (optional)")
    ethnicity_description = EthnicityDescriptionField(
        label="Their ethnic group in their own words (optional)",
        help_text="For an \u201cany other\u201d group, as the person describes it.",
    )

    # A parent or guardian: always shown, needed for under-18s.
    guardian_name = NeededWhenField(
        label="Parent or guardian's name",
        max_length=200,
        help_text=GUARDIAN_HINT,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    guardian_relationship = NeededWhenField(
        label="Their relationship to the person",
        max_length=100,
        help_text=f"{GUARDIAN_HINT} For example, mother, father, foster carer.",
    )
    guardian_contact = NeededWhenField(
        label="Parent or guardian's contact details",
        max_length=200,
        help_text=f"{GUARDIAN_HINT} A phone number or email address.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    # The referral.
    pathway = DefaultedChoiceField(
        label="Pathway",
        choices=Pathway.choices,
        initial=Pathway.PREVENTION,
        widget=forms.RadioSelect,
        help_text=" ".join(f"{Pathway(k).label}: {v}" for k, v in PATHWAY_HINTS.items()),
        error_messages=_choice_errors("the pathway"),
    )
    reason = text(
        "Reason for referral",
        required="Enter the reason for referral",
        max_length=5000,
        textarea=True,
        help_text="What has caused concern, and what is already known. Only coordinators "
        "can read this.",
    )
    concern_type = forms.ModelChoiceField(
        label="Concern type",
        queryset=ConcernType.objects.offered(),
        empty_label="Select a concern type",
        error_messages=_choice_errors("a concern type"),
    )
    urgency = forms.ChoiceField(
        label="Urgency",
        choices=[("", "Select the urgency"), *Urgency.choices],
        help_text="Urgent: the person may be at risk of harm or of harming others soon.",
        error_messages=_choice_errors("the urgency"),
    )
    other_agencies = text(
        "Other agencies involved",
        required=None,
        max_length=2000,
        textarea=True,
        help_text="For example children's social care, a youth offending team, a mental "
        "health service.",
    )

    # Needs and preferences.
    languages = forms.ModelMultipleChoiceField(
        label="Languages the person speaks",
        queryset=Language.objects.offered(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
        error_messages=_choice_errors("languages"),
    )
    interpreter_needed = forms.BooleanField(label="An interpreter is needed", required=False)
    accessibility_needs = text(
        "Accessibility needs",
        required=None,
        max_length=2000,
        textarea=True,
        help_text="For example a learning disability, a hearing impairment, step-free access.",
    )
    mentor_gender_preference = forms.ChoiceField(
        label="Preferred gender of the mentor",
        choices=MentorGenderPreference.choices,
        initial=MentorGenderPreference.ANY,
        widget=forms.RadioSelect,
        error_messages=_choice_errors("a preference for the mentor's gender"),
    )
    preferred_language = forms.ModelChoiceField(
        label="Preferred language for sessions",
        queryset=Language.objects.offered(),
        required=False,
        empty_label="No preference",
        error_messages=_choice_errors("a language"),
    )
    faith_preference = text(
        "Faith or culture preference for the mentor",
        required=None,
        max_length=1000,
        textarea=True,
        help_text="Only if the person or their family asked for one.",
    )
    accepts_online = forms.ChoiceField(
        label="Are online sessions acceptable?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages=_choice_errors("whether online sessions are acceptable"),
    )

    # Who refers.
    referral_source = forms.ModelChoiceField(
        label="Referring agency",
        queryset=ReferralSource.objects.offered(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages=_choice_errors("the referring agency"),
    )
    referrer_organisation = text(
        "Referring organisation",
        required="Enter the name of the referring organisation",
        max_length=200,
        help_text="For example, Example Academy or West Midlands Police.",
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )

    def clean_pathway(self):
        return self.cleaned_data.get("pathway") or Pathway.PREVENTION

    def clean_first_name(self):
        return self._name("first_name")

    def clean_last_name(self):
        return self._name("last_name")

    def _name(self, field: str) -> str:
        value = " ".join(self.cleaned_data[field].split())
        if not value:
            raise forms.ValidationError(self.fields[field].error_messages["required"])
        return value

    def clean_reason(self):
        value = self.cleaned_data["reason"].strip()
        if not value:
            raise forms.ValidationError(self.fields["reason"].error_messages["required"])
        return value

    def clean_referrer_organisation(self):
        value = " ".join(self.cleaned_data["referrer_organisation"].split())
        if not value:
            raise forms.ValidationError(
                self.fields["referrer_organisation"].error_messages["required"]
            )
        return value

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if age_on(born, timezone.localdate()) > MAX_AGE:
            raise forms.ValidationError(
                f"The person cannot be older than {MAX_AGE}: check the date of birth"
            )
        return born

    def clean(self):
        cleaned = super().clean()
        born = cleaned.get("date_of_birth")
        if isinstance(born, dt.date) and age_on(born, timezone.localdate()) < 18:
            missing = {
                "guardian_name": "Enter the name of a parent or guardian: the person is under 18",
                "guardian_relationship": "Enter the parent or guardian's relationship to the "
                "person: the person is under 18",
                "guardian_contact": "Enter contact details for the parent or guardian: the "
                "person is under 18",
            }
            for name, message in missing.items():
                if name not in self.errors and not (cleaned.get(name) or "").strip():
                    self.add_error(name, message)
        return cleaned

    def referral_data(self) -> dict:
        """The answers as ``referral_submit`` takes them."""
        data = dict(self.cleaned_data)
        data["languages"] = list(data.get("languages") or [])
        data["accepts_online"] = data.get("accepts_online") == "yes"
        return data
