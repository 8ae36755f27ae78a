"""The assessment form, built from the framework's configuration: a rating and the
evidence for every factor (grouped by dimension), a summary and a management plan.
Nothing about the default framework is written here."""

from __future__ import annotations

from django import forms

from tandem.core.dates import long_date
from tandem.core.forms import DATE_EXAMPLE, GovUKDateField, GovUKForm, VersionField

from .selectors import FrameworkShape
from .services import RatingInput

NARRATIVE_MAX = 10_000
TEXT_MAX = 20_000


INCOMPLETE_PAGE = (
    "This page was incomplete when it was sent. Check your answers, then save the assessment again."
)


class AssessmentDateField(GovUKDateField):
    """The date of the assessment: not in the future, and not before the previous
    assessment (the history reads in order)."""

    def __init__(self, *, not_before=None, **kwargs):
        self.not_before = not_before
        super().__init__(what="the date of the assessment", **kwargs)

    def validate(self, value):
        super().validate(value)
        if value and self.not_before and value < self.not_before:
            raise forms.ValidationError(
                "The date of the assessment must be on or after the date of the previous "
                f"assessment, {long_date(self.not_before)}",
                code="before_previous",
            )


def rating_name(factor) -> str:
    return f"rating_{factor.pk}"


def evidence_name(factor) -> str:
    return f"evidence_{factor.pk}"


class AssessmentForm(GovUKForm):
    """``shape`` is the framework to rate against; ``not_before`` the date of the
    previous assessment, if any. Prefilled values (a reassessment starts from the
    previous ratings and evidence, a draft from its answers) come in as ``initial``.

    With ``draft=True`` the form checks only what was typed (a real date, a rating of
    the scale, lengths), so that part of an assessment can be saved and resumed;
    completing it needs every field."""

    version = VersionField(message=INCOMPLETE_PAGE)
    # The revision of the draft the page was built from; empty when there was none.
    draft_revision = forms.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput
    )

    def __init__(self, data=None, *, shape: FrameworkShape, not_before=None, draft=False, **kwargs):
        # The fields are added after GovUKForm's set-up, so they carry their GOV.UK
        # classes themselves.
        self.shape = shape
        self.draft = draft
        super().__init__(data, **kwargs)
        self.evidence_needed = _either(shape.evidence_labels)
        self.evidence_hint = (
            f"Needed when the rating is {self.evidence_needed}."
            if self.evidence_needed
            else "Say what the rating rests on."
        )
        self.fields["assessed_on"] = AssessmentDateField(
            label="Date of assessment",
            help_text=f"For example, {DATE_EXAMPLE}",
            not_before=not_before,
        )
        choices = [(level.code, level.label) for level in shape.levels]
        for factor in shape.factors:
            title = f"{factor.number}. {factor.name}"
            self.fields[rating_name(factor)] = forms.ChoiceField(
                label=title,
                choices=choices,
                widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
                error_messages={
                    "required": f"Select a rating for {title}",
                    "invalid_choice": f"Choose one of the ratings listed for {title}",
                },
            )
            self.fields[evidence_name(factor)] = forms.CharField(
                label=f"Evidence for {factor.name}",
                required=False,
                max_length=NARRATIVE_MAX,
                help_text=self.evidence_hint,
                widget=forms.Textarea(attrs={"rows": 3, "class": "govuk-textarea"}),
                error_messages={
                    "max_length": f"The evidence for {title} must be {NARRATIVE_MAX:,} "
                    "characters or fewer",
                },
            )
        self.fields["summary"] = forms.CharField(
            label="Summary",
            max_length=TEXT_MAX,
            help_text="Your overall professional judgement: what matters most, and why.",
            widget=forms.Textarea(attrs={"rows": 6, "class": "govuk-textarea"}),
            error_messages={
                "required": "Enter a summary of the assessment",
                "max_length": f"The summary must be {TEXT_MAX:,} characters or fewer",
            },
        )
        self.fields["management_plan"] = forms.CharField(
            label="Management plan",
            max_length=TEXT_MAX,
            help_text="What will be done about the factors of concern, by whom and by when.",
            widget=forms.Textarea(attrs={"rows": 6, "class": "govuk-textarea"}),
            error_messages={
                "required": "Enter a management plan",
                "max_length": f"The management plan must be {TEXT_MAX:,} characters or fewer",
            },
        )
        if draft:
            for name, field in self.fields.items():
                if name != "version":
                    field.required = False

    # Layout: the template walks these instead of {{ form }}.

    def dimension_groups(self):
        """[(dimension, [(factor, rating field, evidence field)])], in framework order."""
        return [
            (
                dimension,
                [(f, self[rating_name(f)], self[evidence_name(f)]) for f in factors],
            )
            for dimension, factors in self.shape.dimensions
        ]

    def clean(self):
        cleaned = super().clean()
        if self.draft:
            return cleaned
        needs = self.shape.evidence_levels
        for factor in self.shape.factors:
            code = cleaned.get(rating_name(factor))
            narrative = (cleaned.get(evidence_name(factor)) or "").strip()
            if code in needs and not narrative and evidence_name(factor) not in self.errors:
                label = self.shape.level(code).label.lower()
                self.add_error(
                    evidence_name(factor),
                    f"Enter the evidence for {factor.number}. {factor.name}: a rating of "
                    f"{label} needs evidence",
                )
        for name in ("summary", "management_plan"):
            if name in cleaned and not cleaned[name].strip():
                self.add_error(name, self.fields[name].error_messages["required"])
        return cleaned

    def ratings(self) -> list[RatingInput]:
        data = self.cleaned_data
        return [
            RatingInput(
                factor=factor,
                level=self.shape.level(data[rating_name(factor)]),
                narrative=data.get(evidence_name(factor), ""),
            )
            for factor in self.shape.factors
        ]

    def answers(self) -> dict[str, str]:
        """What a draft keeps: each answer field as typed (text, not cleaned values), so
        the page shows it again exactly; empty answers are left out."""
        kept = {}
        for name in self.fields:
            if name in ("version", "draft_revision"):
                continue
            value = self.data.get(self.add_prefix(name), "")
            if isinstance(value, str) and value.strip():
                kept[name] = value
        return kept


def _either(labels: list[str]) -> str:
    """["moderate", "high"] → "moderate or high"."""
    if len(labels) < 2:
        return "".join(labels)
    return ", ".join(labels[:-1]) + f" or {labels[-1]}"


def initial_from(previous, shape: FrameworkShape) -> dict:
    """A reassessment starts from the previous assessment's ratings, evidence and
    management plan, so the assessor changes what is different. Factors the previous
    assessment did not rate (another framework) start empty."""
    if previous is None:
        return {}
    codes = {level.pk: level.code for level in shape.levels}
    initial = {"management_plan": previous.management_plan}
    for rating in previous.ratings.all():
        if rating.level_id in codes:
            initial[f"rating_{rating.factor_id}"] = codes[rating.level_id]
            initial[f"evidence_{rating.factor_id}"] = rating.narrative
    return initial
