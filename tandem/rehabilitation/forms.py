"""The shape of what coordinators and mentors type on the rehabilitation pathway. The
services check the rules again and decide everything else."""

from __future__ import annotations

from django import forms

from tandem.catalogues.models import Area
from tandem.core.forms import GovUKDateField, GovUKForm, VersionField

from .models import ConditionKind, CustodyStatus, PanelDecision, PanelKind, ProtectionLevel


def _text(label: str, *, max_length: int, help_text: str = "", textarea=False, required=None):
    widget = (
        forms.Textarea(attrs={"rows": 3})
        if textarea
        else forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})
    )
    return forms.CharField(
        label=label,
        required=required is not None,
        max_length=max_length,
        help_text=help_text,
        widget=widget,
        error_messages={
            **({"required": required} if required else {}),
            "max_length": f"{label} must be {max_length:,} characters or fewer",
        },
    )


def _choice(label: str, choices, what: str, **kwargs):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=kwargs.pop("widget", forms.RadioSelect),
        error_messages={
            "required": f"Select {what}",
            "invalid_choice": f"Select {what} from the list",  # noqa: S608 - not SQL
        },
        **kwargs,
    )


class RehabForm(GovUKForm):
    use_required_attribute = False


class DetailsForm(RehabForm):
    version = VersionField(required=False)
    custody_status = _choice("Custody status", CustodyStatus.choices, "the custody status")
    establishment = _text(
        "Establishment",
        max_length=200,
        help_text="The prison or young offender institution, while the person is in custody.",
    )
    expected_release_date = GovUKDateField(
        label="Expected release date",
        what="the expected release date",
        allow_future=True,
        required=False,
    )
    licence_end_date = GovUKDateField(
        label="Licence end date", what="the licence end date", allow_future=True, required=False
    )
    offender_manager_name = _text("Offender manager's name", max_length=200)
    offender_manager_contact = _text(
        "Offender manager's contact details", max_length=200, help_text="A phone number or email."
    )
    protection_level = _choice(
        "Public-protection management level",
        ProtectionLevel.choices,
        "the public-protection management level",
    )

    def clean(self):
        cleaned = super().clean()
        release, end = cleaned.get("expected_release_date"), cleaned.get("licence_end_date")
        if release and end and end < release:
            self.add_error(
                "licence_end_date", "The licence end date must be after the release date"
            )
        return cleaned


class ConditionForm(RehabForm):
    kind = _choice("Condition", ConditionKind.choices, "the kind of condition")
    area = forms.ModelChoiceField(
        label="Area excluded",
        queryset=Area.objects.offered(),
        required=False,
        empty_label="Select an area",
        help_text="For an exclusion zone.",
        error_messages={"invalid_choice": "Select an area from the list"},
    )
    names = _text(
        "Names of the people",
        max_length=2000,
        textarea=True,
        help_text="For no contact or non-association: one person on each line. Sessions planned "
        "with one of them warn the mentor.",
    )
    details = _text("Details", max_length=2000, textarea=True, help_text="What the condition says.")

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if (
            kind == ConditionKind.EXCLUSION_ZONE
            and not cleaned.get("area")
            and "area" not in self.errors
        ):
            self.add_error("area", "Select the area the person is excluded from")
        if (
            kind in (ConditionKind.NO_CONTACT, ConditionKind.NON_ASSOCIATION)
            and not (cleaned.get("names") or "").strip()
        ):
            self.add_error("names", "Enter the names of the people, one on each line")
        if (
            kind
            in (
                ConditionKind.INTERNET,
                ConditionKind.APPROVED_PREMISES,
                ConditionKind.OTHER,
            )
            and not (cleaned.get("details") or "").strip()
        ):
            self.add_error("details", "Describe the condition")
        return cleaned


class ConditionEndForm(RehabForm):
    ended_on = GovUKDateField(label="Date the condition ended", what="the date the condition ended")


class VisitForm(RehabForm):
    version = VersionField(required=False)
    establishment = _text("Establishment", max_length=200, required="Enter the establishment")
    booking_reference = _text(
        "Visit booking reference", max_length=100, required="Enter the visit booking reference"
    )
    booked_on = GovUKDateField(
        label="Date the visit was booked", what="the date the visit was booked"
    )


class PanelForm(RehabForm):
    kind = _choice("What kind of panel meeting", PanelKind.choices, "a presentation or a review")
    met_on = GovUKDateField(label="Date of the panel", what="the date of the panel")
    decision = _choice(
        "The panel's decision",
        [("", "Not decided yet"), *PanelDecision.choices],
        "the panel's decision",
        required=False,
    )
    agencies_present = _text(
        "Agencies present",
        max_length=2000,
        textarea=True,
        help_text="Needed with a decision. For example, probation, police, the local authority.",
    )
    actions = _text("Actions agreed", max_length=5000, textarea=True)
    signposted_to = _text(
        "Signposted to", max_length=200, help_text="Needed when the panel signposts elsewhere."
    )

    def __init__(self, *args, deciding: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.deciding = deciding
        if deciding:
            del self.fields["kind"]
            self.fields["decision"].choices = PanelDecision.choices

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision") or ""
        if self.deciding and not decision and "decision" not in self.errors:
            self.add_error("decision", "Select the panel's decision")
        if decision and not (cleaned.get("agencies_present") or "").strip():
            self.add_error("agencies_present", "Enter the agencies present when the panel decided")
        if decision == PanelDecision.SIGNPOST and not (cleaned.get("signposted_to") or "").strip():
            self.add_error("signposted_to", "Enter where the panel signposted the person")
        return cleaned


class PolicyForm(RehabForm):
    first_meeting_days = forms.IntegerField(
        label="First meeting after release within (days)",
        min_value=1,
        max_value=90,
        error_messages={
            "required": "Enter the number of days",
            "invalid": "Enter the number of days as a whole number",
            "min_value": "Enter at least 1 day",
            "max_value": "Enter 90 days or fewer",
        },
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
    )
    release_prompt_days = forms.IntegerField(
        label="Prompt before a release (days)",
        min_value=1,
        max_value=180,
        error_messages={
            "required": "Enter the number of days",
            "invalid": "Enter the number of days as a whole number",
            "min_value": "Enter at least 1 day",
            "max_value": "Enter 180 days or fewer",
        },
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
    )
    panel_review_weeks = forms.IntegerField(
        label="Panel reviews every (weeks)",
        min_value=1,
        max_value=104,
        error_messages={
            "required": "Enter the number of weeks",
            "invalid": "Enter the number of weeks as a whole number",
            "min_value": "Enter at least 1 week",
            "max_value": "Enter 104 weeks or fewer",
        },
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
    )
    panel_before_matching = forms.BooleanField(
        label="A case referred by the multi-agency panel waits for the panel to adopt it before "
        "matching",
        required=False,
    )
