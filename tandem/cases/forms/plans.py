# The minus sign (−) is meant: it is the typography users read.
# ruff: noqa: RUF001, RUF003
"""Forms for the support plan, goals, reviews, closure and follow-ups.

They check the shape of the input and say what is wrong in GOV.UK style; the services
in tandem.cases.services.plans enforce the same rules again and decide the rest. Every
form that changes a case carries the case's version as the user saw it.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone

from tandem.core.dates import long_date
from tandem.core.forms import DATE_EXAMPLE, INPUT_CLASS, GovUKDateField, GovUKForm

from .. import gas
from ..models import STYLE_SCALE, Approach, ClosureOutcome, FollowUp, Frequency, Goal, GoalOwner
from ..services.plans import TEXT_MAX, TITLE_MAX

# The five levels of a GAS goal, from −2 to +2: (score, model field, label).
LEVELS = [
    (-2, "level_minus_2", "Much less than expected (−2)"),
    (-1, "level_minus_1", "Less than expected (−1)"),
    (0, "level_0", "Expected outcome (0)"),
    (1, "level_plus_1", "More than expected (+1)"),
    (2, "level_plus_2", "Much more than expected (+2)"),
]
LEVEL_LABELS = {score: label for score, _, label in LEVELS}
GOAL_LEVEL_FIELDS = [name for _, name, _ in LEVELS]
GOAL_FIELDS = ["title", "owner", "weight", *GOAL_LEVEL_FIELDS]
YES_NO = [("yes", "Yes"), ("no", "No")]


PastDateField = GovUKDateField


def _text(label, required_message, *, max_length=TEXT_MAX, rows=None, **kwargs):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required_message is not None,
        widget=widget,
        error_messages={
            **({"required": required_message} if required_message else {}),
            "max_length": f"{label} must be {max_length} characters or fewer",
        },
        **kwargs,
    )


def _radios(label, choices, message, **kwargs):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
        **kwargs,
    )


def _yes_no(label, message, **kwargs):
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
        **kwargs,
    )


class VersionedForm(GovUKForm):
    """A form that changes a case: it carries the case's version as the user saw it."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None:
            self.fields["version"].initial = case.version
        self.fields["version"].error_messages = {
            key: "This form is out of date: reload the page and try again"
            for key in ("required", "invalid", "min_value", "max_value")
        }

    def add_field(self, name: str, field: forms.Field) -> None:
        """Add a field after construction, with the GOV.UK classes the declared ones get."""
        css = next(
            (INPUT_CLASS[kind] for kind in type(field.widget).__mro__ if kind in INPUT_CLASS),
            "govuk-input",
        )
        field.widget.attrs["class"] = f"{css} {field.widget.attrs.get('class', '')}".strip()
        self.fields[name] = field

    def seen_version(self, case) -> None:
        """Carry ``case``'s current version, keeping everything else that was typed, so
        that a second submission after a refusal is deliberate."""
        data = self.data.copy()
        data["version"] = str(case.version)
        self.data = data


# The plan ------------------------------------------------------------------------------


class PlanForm(VersionedForm):
    approach = _radios(
        "Approach",
        Approach.choices,
        "Select the approach",
        help_text="Befriending builds trust and a relationship; interventionist works "
        "directly on the person's beliefs and behaviour.",
    )
    intended_style = forms.TypedChoiceField(
        label="Intended style",
        choices=[(value, f"{value} – {label}") for value, label in STYLE_SCALE.items()],
        coerce=int,
        widget=forms.RadioSelect,
        help_text="On a scale from 1, empathetic, to 5, confrontational.",
        error_messages={
            "required": "Select the intended style",
            "invalid_choice": "Select the intended style",
        },
    )
    frequency = _radios(
        "How often will they meet?", Frequency.choices, "Select how often they will meet"
    )
    summary = _text(
        "Summary",
        None,
        rows=5,
        help_text="What the support is for and how it will work. It is stored encrypted.",
    )


# Goals ---------------------------------------------------------------------------------


class GoalForm(VersionedForm):
    title = _text(
        "Goal",
        "Enter the goal",
        max_length=TITLE_MAX,
        help_text="A short statement of what should change, in words the person would recognise.",
    )
    owner = _radios("Who owns this goal?", GoalOwner.choices, "Select who owns this goal")
    weight = forms.IntegerField(
        label="Weight",
        min_value=gas.MIN_WEIGHT,
        max_value=gas.MAX_WEIGHT,
        initial=1,
        help_text="A whole number from 1 to 10: how much this goal counts in the overall "
        "score. Give every goal 1 to weigh them equally.",
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-2", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={
            "required": "Enter the weight, a whole number from 1 to 10",
            "invalid": "The weight must be a whole number from 1 to 10",
            "min_value": "The weight must be from 1 to 10",
            "max_value": "The weight must be from 1 to 10",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for _, name, label in LEVELS:
            self.add_field(
                name,
                _text(label, f"Describe what {label[0].lower()}{label[1:]} looks like", rows=2),
            )

    def goal_data(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in GOAL_FIELDS}

    @classmethod
    def initial_from(cls, goal: Goal) -> dict:
        return {name: getattr(goal, name) for name in GOAL_FIELDS}


# Reviews -------------------------------------------------------------------------------


def score_field_name(goal: Goal) -> str:
    return f"score_{goal.pk}"


class ReviewForm(VersionedForm):
    """The date, a score for every goal in use, a summary and whether the person needs
    reassessing. Each goal's radios are a fieldset whose legend names the goal; each
    option says what that level means for this goal."""

    reviewed_on = PastDateField(label="Date of review", what="the date of the review")

    def __init__(self, *args, goals: list[Goal], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewed_on"].initial = timezone.localdate()
        self.goals = goals
        for goal in goals:
            number = goal.position or goal.pk
            self.add_field(
                score_field_name(goal),
                forms.TypedChoiceField(
                    label=f"Goal {number}: {goal.title}",
                    choices=[
                        (score, f"{LEVEL_LABELS[score]}: {getattr(goal, name)}")
                        for score, name, _ in LEVELS
                    ],
                    coerce=int,
                    widget=forms.RadioSelect,
                    help_text=f"Owned by {goal.get_owner_display().lower()}, weight {goal.weight}.",
                    error_messages={
                        "required": f"Select a score for goal {number}",
                        "invalid_choice": f"Select a score for goal {number}",
                    },
                ),
            )
        self.add_field(
            "summary",
            _text(
                "Summary of the review",
                "Enter a summary of the review",
                rows=5,
                help_text="What has changed since the last review and what happens next. It is "
                "stored encrypted.",
            ),
        )
        self.add_field(
            "reassessment_needed",
            _yes_no(
                "Does the person need reassessing?",
                "Select yes if the person needs reassessing",
                help_text="Yes prompts a new structured assessment.",
            ),
        )

    def scores(self) -> dict[int, int]:
        return {goal.pk: self.cleaned_data[score_field_name(goal)] for goal in self.goals}


# Closure and follow-ups ----------------------------------------------------------------


class StartClosingForm(VersionedForm):
    reason = _text(
        "Why is support ending?",
        None,
        rows=3,
        help_text="Kept on the case's timeline. It is stored encrypted.",
    )


class CloseForm(VersionedForm):
    outcome = _radios("Outcome", ClosureOutcome.choices, "Select the outcome of the case")
    closing_report = _text(
        "Closing report",
        "Enter the closing report",
        rows=8,
        max_length=20000,
        help_text="What the support achieved, what is still of concern and any onward "
        "referrals. It is stored encrypted.",
    )
    closed_on = PastDateField(
        label="Date closed",
        what="the date the case closed",
        help_text="The follow-ups are due 6 and 12 months after this date. For example, "
        f"{DATE_EXAMPLE}",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closed_on"].initial = timezone.localdate()


class FollowUpChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: FollowUp) -> str:
        return f"{obj.get_kind_display()} (due {long_date(obj.due_on)})"


class FollowUpForm(VersionedForm):
    def __init__(self, *args, follow_ups, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_field(
            "follow_up",
            FollowUpChoiceField(
                label="Which follow-up?",
                queryset=follow_ups,
                widget=forms.RadioSelect,
                empty_label=None,
                error_messages={
                    "required": "Select which follow-up this is",
                    "invalid_choice": "Select which follow-up this is",
                },
            ),
        )
        self.add_field(
            "completed_on",
            PastDateField(
                label="Date of follow-up",
                what="the date of the follow-up",
                initial=timezone.localdate(),
            ),
        )
        self.add_field(
            "notes",
            _text(
                "What did the follow-up find?",
                "Enter what the follow-up found",
                rows=5,
                help_text="How the person is doing since support ended. It is stored encrypted.",
            ),
        )
        self.add_field(
            "re_referred",
            _yes_no(
                "Has the person been referred again since the case closed?",
                "Select yes if the person has been referred again",
            ),
        )
