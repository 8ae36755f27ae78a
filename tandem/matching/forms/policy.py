"""The scheme's matching policy: the weight of each preference, the lowest accreditation
level for priority, urgent and high-concern cases, and when a waiting case counts as
having too few feasible mentors."""

from __future__ import annotations

from django import forms

from tandem.core.forms import GovUKModelForm
from tandem.mentors.models import AccreditationLevel

from ..criteria import PREFERENCES
from ..models import MAX_WEIGHT, MatchingPolicy

MAX_FEW_FEASIBLE = 50

# Level fields: (field name, label, help).
LEVEL_FIELDS = (
    (
        "priority_min_level",
        "Lowest accreditation level for a priority case",
        "Mentors below this level are not suggested for priority cases.",
    ),
    (
        "urgent_min_level",
        "Lowest accreditation level for an urgent case",
        "Mentors below this level are not suggested for urgent cases.",
    ),
    (
        "high_risk_min_level",
        "Lowest accreditation level for a high-concern case",
        "A case counts as high concern when its latest assessment rates any factor at the "
        "framework's highest level.",
    ),
)

WEIGHT_FIELDS = tuple(p.weight_field for p in PREFERENCES)


class PolicyForm(GovUKModelForm):
    # The level questions may be left at "No minimum", which says it better.
    mark_optional = False

    class Meta:
        model = MatchingPolicy
        fields = [*WEIGHT_FIELDS, *(name for name, _, _ in LEVEL_FIELDS), "few_feasible"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for preference in PREFERENCES:
            self.fields[preference.weight_field] = self._number(
                label=f"{preference.label} weight",
                help_text=f"{preference.rewards} From 0 (not counted) to {MAX_WEIGHT}.",
                what=f"the {preference.label.lower()} weight",
                maximum=MAX_WEIGHT,
            )
        levels = AccreditationLevel.objects.order_by("rank")
        for name, label, help_text in LEVEL_FIELDS:
            self.fields[name] = forms.ModelChoiceField(
                queryset=levels,
                required=False,
                empty_label="No minimum",
                label=label,
                help_text=help_text,
                widget=forms.Select(attrs={"class": "govuk-select"}),
                error_messages={"invalid_choice": "Choose a level from the list"},
            )
        self.fields["few_feasible"] = self._number(
            label="Few feasible mentors",
            help_text="A waiting case with this many feasible mentors or fewer counts as a gap "
            f"in the pool. From 0 to {MAX_FEW_FEASIBLE}.",
            what="the number of feasible mentors that counts as few",
            maximum=MAX_FEW_FEASIBLE,
        )
        # The mixin styled the fields that were there at first; style the new ones.
        for name in (*WEIGHT_FIELDS, "few_feasible"):
            self.fields[name].widget.attrs["class"] = "govuk-input govuk-input--width-2"

    @staticmethod
    def _number(*, label: str, help_text: str, what: str, maximum: int) -> forms.Field:
        # GOV.UK asks for a text input with a numeric keypad rather than type="number".
        return forms.IntegerField(
            label=label,
            help_text=help_text,
            min_value=0,
            max_value=maximum,
            widget=forms.TextInput(
                attrs={"inputmode": "numeric", "spellcheck": "false", "autocomplete": "off"}
            ),
            error_messages={
                "required": f"Enter {what}",
                "invalid": f"{what[0].upper()}{what[1:]} must be a whole number, like 3",
                "min_value": f"{what[0].upper()}{what[1:]} must be 0 or more",
                "max_value": f"{what[0].upper()}{what[1:]} must be {maximum} or less",
            },
        )

    def clean(self):
        data = super().clean()
        weights = [data.get(name) for name in WEIGHT_FIELDS]
        if all(weight is not None for weight in weights) and not any(weights):
            raise forms.ValidationError(
                "Give at least one criterion a weight above 0. With every weight at 0, every "
                "mentor scores the same and suggestions have no order.",
                code="no_weight",
            )
        return data
