"""The shape of claim input: amounts as decimals within sane bounds, receipts checked
from their content, a decision with its reason, the rates per level, and the month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms

from tandem.core.forms import GovUKForm
from tandem.mentors.models import AccreditationLevel

from ..receipts import MAX_RECEIPT_BYTES, ReceiptRefused, check_receipt
from ..services.claims import Decision

MAX_RECEIPTS_AT_ONCE = 5


def decimal_field(
    *, label: str, what: str, maximum: int, places: int, example: str, help_text: str = ""
) -> forms.DecimalField:
    unit = "decimal place" if places == 1 else "decimal places"
    return forms.DecimalField(
        label=label,
        min_value=Decimal(0),
        max_value=Decimal(maximum),
        max_digits=len(str(maximum)) + places,
        decimal_places=places,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-5", "inputmode": "decimal", "spellcheck": "false"}
        ),
        error_messages={
            "required": f"Enter {what}, or 0",
            "invalid": f"{what[0].upper()}{what[1:]} must be a number, like {example}",
            "min_value": f"{what[0].upper()}{what[1:]} must be 0 or more",
            "max_value": f"{what[0].upper()}{what[1:]} must be {maximum:,} or less",
            "max_digits": f"{what[0].upper()}{what[1:]} must be {maximum:,} or less",
            "max_whole_digits": f"{what[0].upper()}{what[1:]} must be {maximum:,} or less",
            "max_decimal_places": f"{what[0].upper()}{what[1:]} can have at most {places} "
            f"{unit}, like {example}",
        },
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ReceiptsField(forms.FileField):
    """Any number of files (up to five at once), each checked by ``check_receipt``."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_RECEIPTS_AT_ONCE:
            raise forms.ValidationError(f"Add at most {MAX_RECEIPTS_AT_ONCE} receipts at a time")
        checked, problems = [], []
        for uploaded in files:
            try:
                checked.append(check_receipt(uploaded))
            except ReceiptRefused as refused:
                problems.append(str(refused))
        if problems:
            raise forms.ValidationError(problems)
        return checked


class ClaimForm(GovUKForm):
    session_hours = decimal_field(
        label="Session hours",
        what="the session hours",
        maximum=12,
        places=2,
        example="1.5",
        help_text="Filled in from the session's length. Change it if the session ran longer "
        "or shorter.",
    )
    travel_hours = decimal_field(
        label="Travel hours",
        what="the travel hours",
        maximum=12,
        places=2,
        example="0.75",
        help_text="Time travelling there and back.",
    )
    miles = decimal_field(
        label="Miles driven",
        what="the miles",
        maximum=1000,
        places=1,
        example="12.5",
        help_text="Only if you used your own vehicle. Enter 0 otherwise.",
    )
    expenses = decimal_field(
        label="Other expenses in pounds",
        what="the expenses",
        maximum=1000,
        places=2,
        example="4.50",
        help_text="Fares, parking, a drink with the person. Each needs a receipt.",
    )
    expenses_note = forms.CharField(
        label="What the expenses were for",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Coordinators and finance read this. Do not write anything about the person.",
    )
    receipts = ReceiptsField(
        label="Add receipts",
        required=False,
        help_text=f"PDF, JPEG or PNG, each up to {MAX_RECEIPT_BYTES // (1024 * 1024)} MB. "
        "Take a photo of a paper receipt.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, existing_receipts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.existing_receipts = list(existing_receipts)
        if self.existing_receipts:
            self.fields["remove_receipts"] = forms.TypedMultipleChoiceField(
                label="Remove receipts",
                required=False,
                coerce=int,
                choices=[(r.pk, r.filename) for r in self.existing_receipts],
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": "Choose receipts of this claim only"},
            )
        self.fields["receipts"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png"

    def clean(self):
        data = super().clean()
        expenses = data.get("expenses")
        if expenses and "receipts" in data:
            kept = len(self.existing_receipts) - len(data.get("remove_receipts") or [])
            if kept + len(data["receipts"]) == 0:
                self.add_error("receipts", "Add a receipt for the expenses")
            if not (data.get("expenses_note") or "").strip():
                self.add_error("expenses_note", "Say what the expenses were for")
        if self.errors.get("receipts") is None and self.files.getlist("receipts") and self.errors:
            # A browser cannot keep a chosen file after an error: say so plainly.
            self.add_error(
                "receipts",
                "Choose your receipt files again: they are not kept when "
                "something else on the page needs correcting",
            )
        return data


class SubmitMonthForm(GovUKForm):
    month = forms.DateField(widget=forms.HiddenInput, input_formats=["%Y-%m-%d"])

    def clean_month(self):
        month = self.cleaned_data["month"]
        return month.replace(day=1)


class DecisionForm(GovUKForm):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[
            (Decision.APPROVE, "Approve"),
            (Decision.QUERY, "Query: send it back to the mentor to change"),
            (Decision.REJECT, "Reject"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether to approve, query or reject the claim",
            "invalid_choice": "Choose whether to approve, query or reject the claim",
        },
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed to query or reject. The mentor reads it.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if (
            data.get("decision") in (Decision.QUERY, Decision.REJECT)
            and not (data.get("reason") or "").strip()
        ):
            self.add_error("reason", "Give the reason, so that the mentor knows what to do")
        return data


class RatesForm(GovUKForm):
    """An hourly and a mileage rate for each accreditation level."""

    mark_optional = False

    def __init__(self, *args, levels: list[AccreditationLevel], rates: dict, **kwargs):
        initial = {}
        for level in levels:
            hourly, mileage = rates.get(level.pk, (Decimal("0.00"), Decimal("0.00")))
            initial[f"hourly_{level.pk}"] = hourly
            initial[f"mileage_{level.pk}"] = mileage
        super().__init__(*args, initial=initial, **kwargs)
        self.levels = levels
        for level in levels:
            self.fields[f"hourly_{level.pk}"] = decimal_field(
                label=f"{level.name}: pounds per hour",
                what=f"the hourly rate for {level.name.lower()}",
                maximum=1000,
                places=2,
                example="18.50",
                help_text="0 for volunteers, who claim mileage and expenses only.",
            )
            self.fields[f"mileage_{level.pk}"] = decimal_field(
                label=f"{level.name}: pounds per mile",
                what=f"the mileage rate for {level.name.lower()}",
                maximum=10,
                places=2,
                example="0.45",
            )
        # These fields arrive after the mixin styled the form's fields: style them too.
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "govuk-input")
            if "govuk-input " not in field.widget.attrs["class"] + " ":
                field.widget.attrs["class"] = "govuk-input " + field.widget.attrs["class"]

    def level_rows(self):
        return [
            (level, self[f"hourly_{level.pk}"], self[f"mileage_{level.pk}"])
            for level in self.levels
        ]

    def cleaned_rates(self) -> dict:
        return {
            level: (
                self.cleaned_data[f"hourly_{level.pk}"],
                self.cleaned_data[f"mileage_{level.pk}"],
            )
            for level in self.levels
        }


def parse_month(value: str | None) -> dt.date | None:
    """'2026-03' → 1 March 2026; None for anything else (never an error page)."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        if not 2000 <= year <= 2999:
            return None
        return dt.date(year, month, 1)
    except (ValueError, TypeError):
        return None
