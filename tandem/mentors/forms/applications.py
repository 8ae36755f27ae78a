"""Forms for applying to be a mentor (public and coordinator-entered), changing a
mentor's status and giving sign-in access. Shape of input only: the rules live in
the services."""

from __future__ import annotations

import re

from django import forms
from django.urls import reverse
from django.utils.html import format_html

from tandem.catalogues.ethnicity import EthnicityDescriptionField, EthnicityField
from tandem.catalogues.models import Area, Language
from tandem.core.forms import GovUKForm

from ..models import AgeBand, Gender, Mentor, MentorStatus
from ..services.pipeline import REASON_REQUIRED

PHONE_RE = re.compile(r"^\+?[0-9 ()\-]{7,30}$")
NOT_SAID = "not_said"

YES_NO = [("yes", "Yes"), ("no", "No"), (NOT_SAID, "Prefer not to say")]


class ApplicationForm(GovUKForm):
    """The application questions, worded for the applicant. Subclasses adjust the
    wording and add what only one route needs."""

    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        error_messages={
            "required": "Enter your full name",
            "max_length": "Full name must be 150 characters or fewer",
        },
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We will only use this to contact you about your application.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
            "max_length": "Email address must be 254 characters or fewer",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label="Phone number",
        required=False,
        max_length=40,
        help_text="For international numbers include the country code.",
        error_messages={"max_length": "Phone number must be 40 characters or fewer"},
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "type": "tel", "class": "govuk-input--width-20"}
        ),
    )
    areas = forms.ModelMultipleChoiceField(
        label="Which areas could you work in?",
        queryset=Area.objects.offered(),
        help_text="Select all that apply.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one area you could work in",
            "invalid_choice": "Select areas from the list",
            "invalid_pk_value": "Select areas from the list",
        },
    )
    languages = forms.ModelMultipleChoiceField(
        label="Which languages can you hold a mentoring conversation in?",
        queryset=Language.objects.offered(),
        help_text="Select all that apply. We record these as conversational; you can say "
        "which you speak fluently or as a first language later, in your profile.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one language you can hold a mentoring conversation in",
            "invalid_choice": "Select languages from the list",
            "invalid_pk_value": "Select languages from the list",
        },
    )
    gender = forms.ChoiceField(
        label="What is your gender? (optional)",
        required=False,
        choices=Gender.choices,
        help_text="Some people we support ask for a mentor of a particular gender.",
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select an option from the list"},
    )
    gender_self_description = forms.CharField(
        label="If you describe your gender in another way, how do you describe it?",
        required=False,
        max_length=100,
        error_messages={"max_length": "Your description must be 100 characters or fewer"},
    )
    age_band = forms.ChoiceField(
        label="What is your age? (optional)",
        required=False,
        choices=[*AgeBand.choices, (NOT_SAID, "Prefer not to say")],
        help_text="Mentors must be 18 or over.",
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select an option from the list"},
    )
    ethnicity = EthnicityField(label="What is your ethnic group? (optional)")
    ethnicity_description = EthnicityDescriptionField(
        label="Your ethnic group in your own words (optional)"
    )
    motivation = forms.CharField(
        label="Why do you want to be a mentor?",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Tell us why you want to be a mentor",
            "max_length": "Your answer must be 5,000 characters or fewer",
        },
    )
    experience = forms.CharField(
        label="What relevant experience do you have?",
        max_length=5000,
        help_text="For example paid or voluntary work with young people or families, "
        "community or faith work, youth work, counselling or mental health. If you have "
        "none yet, say so: training is part of becoming a mentor.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Tell us about your relevant experience, or say that you have none yet",
            "max_length": "Your answer must be 5,000 characters or fewer",
        },
    )
    has_lived_experience = forms.ChoiceField(
        label="Do you have lived experience of extremism, hate crime or the criminal "
        "justice system? (optional)",
        required=False,
        choices=YES_NO,
        help_text="For example as a former member of an extremist group, or as someone who "
        "has been through the criminal justice system. Some of the people we support connect "
        "best with a mentor who has been there. Answering yes does not stop you becoming a "
        "mentor, and you can tell us more later, in confidence.",
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select an option from the list"},
    )

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE_RE.match(phone):
            raise forms.ValidationError(
                "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"
            )
        return phone

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError(self.fields["full_name"].error_messages["required"])
        return name

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def application_data(self) -> dict:
        """The cleaned answers as the application services take them."""
        data = self.cleaned_data
        gender = data.get("gender") or ""
        return {
            "full_name": data["full_name"],
            "email": data["email"],
            "phone": data.get("phone", ""),
            "areas": list(data["areas"]),
            "languages": list(data["languages"]),
            "gender": gender,
            "gender_self_description": (
                data.get("gender_self_description", "").strip()
                if gender == Gender.SELF_DESCRIBED
                else ""
            ),
            "age_band": "" if data.get("age_band") in ("", NOT_SAID) else data["age_band"],
            "ethnicity": data.get("ethnicity", ""),
            "ethnicity_description": data.get("ethnicity_description", "").strip(),
            "motivation": data.get("motivation", "").strip(),
            "experience": data.get("experience", "").strip(),
            "has_lived_experience": data.get("has_lived_experience") == "yes",
        }


class PublicApplicationForm(ApplicationForm):
    """The public form: adds the privacy confirmation and a honeypot."""

    HONEYPOT = "website"

    privacy_confirmed = forms.BooleanField(
        label="I have read the privacy notice",
        error_messages={"required": "Confirm that you have read the privacy notice"},
    )
    # Hidden from sight and from the tab order in the template; people never fill it,
    # form-filling bots often do.
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["privacy_confirmed"].help_text = format_html(
            'The <a class="govuk-link" href="{}" target="_blank" rel="noopener">privacy notice '
            "(opens in a new tab)</a> explains what we do with the information you give us "
            "and who can see it.",
            reverse("core:privacy"),
        )

    @property
    def honeypot_filled(self) -> bool:
        return bool(self.data.get(self.HONEYPOT, "").strip())


class CoordinatorApplicationForm(ApplicationForm):
    """A coordinator enters an application on someone's behalf (for example from a
    paper form or a conversation). Motivation and experience may be added later."""

    LABELS = {
        "full_name": "Full name",
        "email": "Email address",
        "areas": "Which areas could they work in?",
        "languages": "Which languages can they hold a mentoring conversation in?",
        "gender": "Gender (optional)",
        "gender_self_description": "If they describe their gender in another way, how?",
        "age_band": "Age (optional)",
        "ethnicity": "Their ethnic group (optional)",
        "ethnicity_description": "Their ethnic group in their own words (optional)",
        "motivation": "Why do they want to be a mentor?",
        "experience": "What relevant experience do they have?",
        "has_lived_experience": "Do they have lived experience of extremism, hate crime or "
        "the criminal justice system? (optional)",
    }
    ERRORS = {
        "full_name": "Enter the applicant's full name",
        "email": "Enter the applicant's email address",
        "areas": "Select at least one area they could work in",
        "languages": "Select at least one language they can hold a mentoring conversation in",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in self.LABELS.items():
            self.fields[name].label = label
        for name, message in self.ERRORS.items():
            self.fields[name].error_messages["required"] = message
        self.fields["email"].help_text = "Tandem sends sign-in details here if they are accepted."
        self.fields["languages"].help_text = (
            "Select all that apply. These are recorded as conversational; the mentor can "
            "give their level in their profile later."
        )
        self.fields["experience"].help_text = ""
        self.fields[
            "has_lived_experience"
        ].help_text = (
            "Only if they chose to tell you. Answering yes does not stop anyone becoming a mentor."
        )
        for name in ("motivation", "experience"):
            self.fields[name].required = False

    def clean_email(self):
        email = super().clean_email()
        if Mentor.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "A mentor record with this email address already exists. Find it in the pool "
                "instead of adding it again"
            )
        return email


class ReasonField(forms.CharField):
    """Shown without "(optional)": whether a reason is needed depends on the move, which
    ``TransitionForm.clean`` (and the service) decide."""

    def __init__(self, **kwargs):
        super().__init__(required=True, **kwargs)

    def validate(self, value):
        pass


class TransitionForm(GovUKForm):
    # Browsers must not demand a reason for moves that need none.
    use_required_attribute = False

    to_status = forms.ChoiceField(
        label="New status",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the new status",
            "invalid_choice": "Select a status this mentor can move to",
        },
    )
    reason = ReasonField(
        label="Reason",
        max_length=2000,
        help_text="Required when pausing or suspending a mentor, or recording that they have "
        "left. The mentor can see the reason on their record.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The reason must be 2,000 characters or fewer"},
    )
    expected_status = forms.ChoiceField(
        choices=MentorStatus.choices,
        widget=forms.HiddenInput,
        error_messages={
            "required": "The form was incomplete. Reload the page and try again.",
            "invalid_choice": "The form was incomplete. Reload the page and try again.",
        },
    )

    def __init__(self, *args, mentor: Mentor, allowed: list[str], **kwargs):
        kwargs.setdefault("initial", {}).setdefault("expected_status", mentor.status)
        super().__init__(*args, **kwargs)
        self.mentor = mentor
        self.fields["to_status"].choices = [(s, MentorStatus(s).label) for s in allowed]

    def clean(self):
        cleaned = super().clean()
        to_status = cleaned.get("to_status")
        if to_status in REASON_REQUIRED and not cleaned.get("reason", "").strip():
            self.add_error(
                "reason",
                f"Enter the reason for moving this mentor to "
                f"{MentorStatus(to_status).label.lower()}",
            )
        return cleaned
