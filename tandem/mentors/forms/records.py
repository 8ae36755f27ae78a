"""Forms for a mentor's vetting, training, accreditation and quality-assurance records.

They check the shape of the input and say what is wrong in GOV.UK style; the services
enforce the same rules again and decide everything else.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms

from tandem.core.dates import long_date
from tandem.core.forms import DATE_EXAMPLE, GovUKDateField, GovUKForm

from ..models import (
    Accreditation,
    AccreditationLevel,
    CheckOutcome,
    FeedbackSource,
    ObservationRating,
    TrainingModule,
    VettingCheckType,
)
from ..quality import validity_text

PastDateField = GovUKDateField


def _text(label: str, required_message: str | None, *, max_length: int, **kwargs):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required_message is not None,
        error_messages={
            **({"required": required_message} if required_message else {}),
            "max_length": f"{label} must be {max_length} characters or fewer",
        },
        **kwargs,
    )


# Vetting -------------------------------------------------------------------------------


class CheckTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: VettingCheckType) -> str:
        kind = "required" if obj.required else "optional"
        return f"{obj.name} ({kind}, {validity_text(obj.validity_days)})"


class CheckForm(GovUKForm):
    check_type = CheckTypeChoiceField(
        label="Which check?",
        queryset=VettingCheckType.objects.filter(is_active=True).order_by("position", "name"),
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select which check this is",
            "invalid_choice": "Select which check this is",
        },
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=CheckOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the outcome of the check",
            "invalid_choice": "Select the outcome of the check",
        },
    )
    checked_on = PastDateField(label="Date checked", what="the date the check was done")
    verifier = _text(
        "Verifier",
        "Enter who carried out or verified the check",
        max_length=150,
        help_text="The person or organisation who carried out or verified the check.",
    )
    reference_number = _text(
        "Reference number",
        None,
        max_length=100,
        help_text="For example, the certificate number. It is stored encrypted.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    failure_reason = _text(
        "Reason for failure",
        None,
        max_length=2000,
        help_text="Needed when the check failed. The mentor cannot progress while a required "
        "check has failed.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    expires_on = PastDateField(
        label="Expiry date",
        what="the expiry date",
        allow_future=True,
        required=False,
        help_text="Only for a passed check. Leave empty to use the check's validity period, "
        f"counted from the date checked. For example, {DATE_EXAMPLE}",
    )

    def clean(self):
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        reason = (cleaned.get("failure_reason") or "").strip()
        if outcome == CheckOutcome.FAILED and not reason:
            self.add_error("failure_reason", "Enter why the check failed")
        elif outcome and outcome != CheckOutcome.FAILED and reason:
            self.add_error(
                "failure_reason",
                "Leave the reason empty unless the check failed, or select Failed",
            )
        expires_on, checked_on = cleaned.get("expires_on"), cleaned.get("checked_on")
        if expires_on and outcome and outcome != CheckOutcome.PASSED:
            self.add_error("expires_on", "Leave the expiry date empty unless the check passed")
        elif expires_on and checked_on and expires_on <= checked_on:
            self.add_error(
                "expires_on", "The expiry date must be after the date the check was done"
            )
        return cleaned


# Training and accreditation ------------------------------------------------------------


class ModuleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: TrainingModule) -> str:
        return f"{obj.name} ({obj.cpd_hours.normalize():f} CPD hours)"


class CompletionForm(GovUKForm):
    module = ModuleChoiceField(
        label="Module",
        queryset=TrainingModule.objects.filter(is_active=True).order_by("name"),
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the module that was completed",
            "invalid_choice": "Select the module that was completed",
        },
    )
    completed_on = PastDateField(label="Date completed", what="the date the module was completed")
    cpd_hours = forms.DecimalField(
        label="CPD hours",
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(200),
        max_digits=5,
        decimal_places=1,
        help_text="Leave empty to use the module's hours. Between 0 and 200, for example 1.5",
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-5", "inputmode": "decimal", "spellcheck": "false"}
        ),
        error_messages={
            "invalid": "CPD hours must be a number, like 3 or 1.5",
            "min_value": "CPD hours must be 0 or more",
            "max_value": "CPD hours must be 200 or fewer",
            "max_decimal_places": "CPD hours can have at most one decimal place, like 1.5",
            "max_digits": "CPD hours must be 200 or fewer",
            "max_whole_digits": "CPD hours must be 200 or fewer",
        },
    )


# Several at once -------------------------------------------------------------------------


class RowFormSet(forms.BaseFormSet):
    """One row per item the page lists (a check type, a module), in that order: the
    rows come from ``items``, never from the form count posted back. A row left blank
    is skipped; one with anything in it is checked like the single form. ``filled``
    are the rows to record; at least one is needed (``nothing_message``)."""

    item_name = "item"
    nothing_message = "Fill in at least one row"

    def __init__(self, *args, items, **kwargs):
        self.items = list(items)
        super().__init__(*args, **kwargs)

    def total_form_count(self) -> int:
        return len(self.items)

    def initial_form_count(self) -> int:
        return 0

    def get_form_kwargs(self, index):
        return {self.item_name: self.items[index]}

    def clean(self):
        if any(self.errors):
            return
        if not self.filled:
            raise forms.ValidationError(self.nothing_message, code="nothing")

    @property
    def filled(self) -> list[forms.Form]:
        return [form for form in self.forms if form.has_changed()]


class CheckRowForm(CheckForm):
    """One check type's row on the page that records several checks."""

    def __init__(self, *args, check_type: VettingCheckType, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["check_type"]
        self.check_type = self.item = check_type


class CheckRowFormSet(RowFormSet):
    item_name = "check_type"
    nothing_message = "Fill in at least one check: leave the others empty"


class CompletionRowForm(CompletionForm):
    """One module's row on the page that records several completions."""

    def __init__(self, *args, module: TrainingModule, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["module"]
        self.module = self.item = module
        self.fields[
            "cpd_hours"
        ].help_text = f"Leave empty for the module's {module.cpd_hours:g} hours, or enter 0 to 200"


class CompletionRowFormSet(RowFormSet):
    item_name = "module"
    nothing_message = "Enter the date completed of at least one module: leave the others empty"


CheckFormSet = forms.formset_factory(CheckRowForm, formset=CheckRowFormSet, extra=0)
CompletionFormSet = forms.formset_factory(CompletionRowForm, formset=CompletionRowFormSet, extra=0)


class LevelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AccreditationLevel) -> str:
        return f"{obj.name} (valid for {obj.validity_months} months)"


class AwardForm(GovUKForm):
    level = LevelChoiceField(
        label="Accreditation level",
        queryset=AccreditationLevel.objects.order_by("rank"),
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the accreditation level",
            "invalid_choice": "Select the accreditation level",
        },
    )
    awarded_on = PastDateField(label="Date awarded", what="the date of the award")
    note = _text(
        "Note",
        None,
        max_length=2000,
        help_text="For example, the panel that decided the award.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RevokeForm(GovUKForm):
    accreditation = forms.ModelChoiceField(
        label="Which accreditation?",
        queryset=Accreditation.objects.none(),
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the accreditation to revoke",
            "invalid_choice": "Select the accreditation to revoke",
        },
    )
    reason = _text(
        "Why is it being revoked?",
        "Enter why the accreditation is being revoked",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, accreditations, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["accreditation"]
        field.queryset = accreditations
        field.label_from_instance = lambda a: (
            f"{a.level.name}, awarded on {long_date(a.awarded_on)}, "
            f"expires on {long_date(a.expires_on)}"
        )


# Quality assurance ---------------------------------------------------------------------


class ObservationForm(GovUKForm):
    observed_on = PastDateField(label="Date observed", what="the date of the observation")
    observer = _text(
        "Observer",
        "Enter who observed the practice",
        max_length=150,
        help_text="The name and role of the person who observed.",
    )
    rating = forms.ChoiceField(
        label="Rating",
        choices=ObservationRating.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select a rating",
            "invalid_choice": "Select a rating",
        },
    )
    notes = _text(
        "Notes",
        None,
        max_length=10000,
        help_text="What went well and what could improve. Notes are stored encrypted.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class FeedbackForm(GovUKForm):
    received_on = PastDateField(label="Date received", what="the date the feedback was received")
    source = forms.ChoiceField(
        label="Who gave the feedback?",
        choices=FeedbackSource.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select who gave the feedback",
            "invalid_choice": "Select who gave the feedback",
        },
    )
    positive = forms.TypedChoiceField(
        label="Was the feedback positive or negative overall?",
        choices=[("yes", "Positive"), ("no", "Negative")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether the feedback was positive or negative",
            "invalid_choice": "Select whether the feedback was positive or negative",
        },
    )
    summary = _text(
        "Summary",
        "Enter a summary of the feedback",
        max_length=10000,
        help_text="It is stored encrypted.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
