"""The shape of supervision's input. The services decide what is allowed."""

from __future__ import annotations

from django import forms

from tandem.core.forms import GovUKDateField, GovUKForm

from .models import (
    MAX_FREQUENCY_WEEKS,
    MAX_LEVEL_CAP,
    ActionOwner,
    SupervisionFormat,
    SupervisionKind,
)
from .wellbeing import CHOICES, ITEMS

ACTION_ROWS = 3
NOTE_MAX = 10_000


class SupervisorForm(GovUKForm):
    supervisor = forms.ModelChoiceField(
        label="Supervisor",
        queryset=None,
        required=False,
        empty_label="No supervisor",
        help_text="Only people who hold the supervisor role can be chosen.",
        error_messages={"invalid_choice": "Choose a supervisor from the list"},
    )

    def __init__(self, *args, supervisors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = supervisors
        self.fields["supervisor"].label_from_instance = lambda u: f"{u.full_name} ({u.email})"


def _int(label: str, low: int, high: int, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "required": f"Enter {label[0].lower()}{label[1:]}",
            "invalid": f"{label} must be a whole number",
            "min_value": f"{label} must be {low} or more",
            "max_value": f"{label} must be {high} or less",
        },
        **kwargs,
    )


class SupervisionPolicyForm(GovUKForm):
    reminder_days = _int(
        "Days before supervision is due to remind the mentor and supervisor", 1, 28
    )
    debrief_days = _int("Days within which a debrief must be held after a serious concern", 1, 28)
    low_wellbeing_total = _int(
        "Wellbeing total (out of 25) at or below which the supervisor is alerted",
        5,
        24,
        help_text="Any answer of “most of the time” also alerts them.",
    )

    def __init__(self, *args, levels, **kwargs):
        self.levels = list(levels)
        fields = {}
        for level in self.levels:
            fields[f"weeks_{level.pk}"] = _int(
                f"{level.name}: supervised at least every (weeks)", 1, MAX_FREQUENCY_WEEKS
            )
            fields[f"format_{level.pk}"] = forms.ChoiceField(
                label=f"{level.name}: individual or group supervision",
                choices=SupervisionFormat.choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Choose individual or group supervision for {level.name}",
                    "invalid_choice": f"Choose individual or group supervision for {level.name}",
                },
            )
            fields[f"cap_{level.pk}"] = _int(
                f"{level.name}: most cases a mentor may hold", 0, MAX_LEVEL_CAP
            )
        # Fields of this instance only, styled by the GOV.UK mixin like the others.
        self.base_fields = {**type(self).base_fields, **fields}
        super().__init__(*args, **kwargs)

    def level_groups(self):
        return [
            {
                "level": level,
                "fields": [
                    self[f"weeks_{level.pk}"],
                    self[f"format_{level.pk}"],
                    self[f"cap_{level.pk}"],
                ],
            }
            for level in self.levels
        ]

    def policy_data(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("reminder_days", "debrief_days", "low_wellbeing_total")
        }

    def level_data(self) -> dict[int, dict]:
        return {
            level.pk: {
                "frequency_weeks": self.cleaned_data[f"weeks_{level.pk}"],
                "format": self.cleaned_data[f"format_{level.pk}"],
                "caseload_cap": self.cleaned_data[f"cap_{level.pk}"],
            }
            for level in self.levels
        }


def _note(label: str, hint: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=NOTE_MAX,
        help_text=hint,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": f"{label} must be {NOTE_MAX:,} characters or fewer"},
    )


class SupervisionRecordForm(GovUKForm):
    held_on = GovUKDateField(label="Date of the supervision", what="the date of the supervision")
    kind = forms.ChoiceField(
        label="Kind of supervision",
        choices=SupervisionKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the kind of supervision",
            "invalid_choice": "Choose the kind of supervision",
        },
    )
    cases = forms.ModelMultipleChoiceField(
        label="Cases discussed",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose cases from the list"},
    )
    approach = _note("Reflection on approach and style", "How the mentoring is going and why.")
    boundaries = _note("Boundaries and ethics", "")
    theology = _note("Theological questions", "Questions of faith or ideology raised in sessions.")
    wellbeing = _note("Wellbeing", "How the mentor is, including any signs of secondary trauma.")

    def __init__(self, *args, cases, **kwargs):
        fields = {}
        for i in range(1, ACTION_ROWS + 1):
            fields[f"action_{i}_text"] = forms.CharField(
                label=f"Action {i}: what was agreed",
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"max_length": f"Action {i} must be 1,000 characters or fewer"},
            )
            fields[f"action_{i}_owner"] = forms.ChoiceField(
                label=f"Action {i}: who does it",
                required=False,
                choices=[("", "Choose who"), *ActionOwner.choices],
                error_messages={"invalid_choice": f"Choose who does action {i}"},
            )
            fields[f"action_{i}_due"] = GovUKDateField(
                label=f"Action {i}: due by",
                what=f"the date action {i} is due",
                allow_future=True,
                required=False,
            )
        self.base_fields = {**type(self).base_fields, **fields}
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = cases
        self.fields["cases"].label_from_instance = lambda case: case.reference

    def action_rows(self):
        return [
            {
                "number": i,
                "fields": [
                    self[f"action_{i}_text"],
                    self[f"action_{i}_owner"],
                    self[f"action_{i}_due"],
                ],
            }
            for i in range(1, ACTION_ROWS + 1)
        ]

    def clean(self):
        cleaned = super().clean()
        for i in range(1, ACTION_ROWS + 1):
            text = (cleaned.get(f"action_{i}_text") or "").strip()
            owner = cleaned.get(f"action_{i}_owner")
            due = cleaned.get(f"action_{i}_due")
            bad_date = f"action_{i}_due" in self.errors
            if text:
                if not owner:
                    self.add_error(f"action_{i}_owner", f"Choose who does action {i}")
                if not due and not bad_date:
                    self.add_error(f"action_{i}_due", f"Enter the date action {i} is due")
            elif owner or due:
                self.add_error(
                    f"action_{i}_text", f"Describe action {i}, or clear its other answers"
                )
        return cleaned

    def actions(self) -> list[dict]:
        return [
            {
                "text": self.cleaned_data[f"action_{i}_text"],
                "owner": self.cleaned_data[f"action_{i}_owner"],
                "due_on": self.cleaned_data[f"action_{i}_due"],
            }
            for i in range(1, ACTION_ROWS + 1)
            if (self.cleaned_data.get(f"action_{i}_text") or "").strip()
        ]

    def notes(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[name]
            for name in ("approach", "boundaries", "theology", "wellbeing")
        }


class WellbeingForm(GovUKForm):
    wants_to_talk = forms.BooleanField(
        label="I would like my supervisor to get in touch", required=False
    )

    def __init__(self, *args, **kwargs):
        questions = {}
        for item in ITEMS:
            questions[item.name] = forms.TypedChoiceField(
                label=item.question,
                choices=CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Answer: {item.question}",
                    "invalid_choice": f"Answer: {item.question}",
                },
            )
        # The questions first, then the request to talk.
        self.base_fields = {**questions, **type(self).base_fields}
        super().__init__(*args, **kwargs)

    def answers(self) -> dict[str, int]:
        return {item.name: self.cleaned_data[item.name] for item in ITEMS}


WITHIN_CHOICES = [
    ("0", "Overdue only"),
    ("14", "Overdue or due in the next 2 weeks"),
    ("28", "Overdue or due in the next 4 weeks"),
    ("56", "Overdue or due in the next 8 weeks"),
]
WITHIN_DEFAULT = "14"


class DueFilterForm(GovUKForm):
    """Which mentors the coordinator's list of supervision due shows."""

    mark_optional = False

    within = forms.ChoiceField(
        label="Show mentors whose supervision is",
        choices=WITHIN_CHOICES,
        initial=WITHIN_DEFAULT,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose which mentors to show from the list"},
    )

    def within_days(self) -> int:
        """The days ahead chosen; the default when nothing or nonsense was chosen."""
        if self.is_bound and self.is_valid() and self.cleaned_data["within"]:
            return int(self.cleaned_data["within"])
        return int(WITHIN_DEFAULT)
