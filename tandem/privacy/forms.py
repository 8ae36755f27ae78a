"""The shape of what is typed about information shared; the services check the rules
again and decide everything else."""

from __future__ import annotations

from django import forms

from tandem.core.forms import GovUKDateField, GovUKForm, VersionField

from .models import (
    DisclosureKind,
    ErasureDecision,
    Exemption,
    LawfulBasis,
    ReportAudience,
    RequestDecision,
    RequestKind,
    WithholdReason,
)


def _text(label, *, max_length, required=None, textarea=False, help_text=""):
    widget = (
        forms.Textarea(attrs={"rows": 4})
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


def _choice(label, choices, what, **kwargs):
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


def _basis(required=True):
    field = forms.ModelChoiceField(
        label="Lawful basis",
        queryset=LawfulBasis.objects.filter(is_active=True),
        required=required,
        empty_label="Select the lawful basis",
        help_text="The UK GDPR Article 6 basis with its Article 9 or 10 and Schedule 1 "
        "conditions, from the scheme's list.",
        error_messages={
            "required": "Select the lawful basis",
            "invalid_choice": "Select the lawful basis from the list",
        },
    )
    field.label_from_instance = lambda basis: f"{basis.name} ({basis.article_6})"
    return field


class SharingForm(GovUKForm):
    use_required_attribute = False


class DisclosureForm(SharingForm):
    kind = _choice(
        "What kind of disclosure was it?",
        [(k, label) for k, label in DisclosureKind.choices if k != DisclosureKind.SAFEGUARDING],
        "what kind of disclosure it was",
    )
    recipient_agency = _text(
        "Agency it was shared with", max_length=200, required="Enter the agency"
    )
    recipient_person = _text("Person it was shared with", max_length=200)
    shared_on = GovUKDateField(label="Date it was shared", what="the date it was shared")
    what_shared = _text(
        "What was shared", max_length=5000, required="Enter what was shared", textarea=True
    )
    purpose = _text(
        "Why it was shared", max_length=5000, required="Enter why it was shared", textarea=True
    )
    lawful_basis = _basis()


class RequestForm(SharingForm):
    kind = _choice("Who is the request from?", RequestKind.choices, "who the request is from")
    requester_agency = _text(
        "Agency making the request", max_length=200, required="Enter the agency"
    )
    requester_person = _text("Person making the request", max_length=200)
    requester_reference = _text("Their reference", max_length=100)
    received_on = GovUKDateField(label="Date received", what="the date the request was received")
    respond_by = GovUKDateField(
        label="Answer due by",
        what="the date the answer is due",
        allow_future=True,
        required=False,
    )
    what_requested = _text(
        "What is asked for", max_length=5000, required="Enter what is asked for", textarea=True
    )


class DecisionForm(SharingForm):
    version = VersionField()
    decision = _choice(
        "Decision", RequestDecision.choices, "whether to release, release in part or refuse"
    )
    lawful_basis = _basis(required=False)
    exemption = _choice(
        "Exemption relied on",
        Exemption.choices,
        "the exemption relied on",
        required=False,
    )
    to_release = _text(
        "What will be released",
        max_length=5000,
        textarea=True,
        help_text="Needed to release or release in part.",
    )
    withheld = _text(
        "What will be withheld, and why",
        max_length=5000,
        textarea=True,
        help_text="Needed to release in part.",
    )
    reasons = _text(
        "Reasons for the decision",
        max_length=5000,
        required="Enter the reasons for the decision",
        textarea=True,
    )


class AnswerForm(SharingForm):
    version = VersionField()
    answered_on = GovUKDateField(label="Date answered", what="the date it was answered")


class ReportForm(SharingForm):
    audience = _choice("Who is the report for?", ReportAudience.choices, "whom it is for")
    period_start = GovUKDateField(label="From", what="the first day the report covers")
    period_end = GovUKDateField(label="To", what="the last day the report covers")
    overall = _text(
        "Overall progress",
        max_length=5000,
        textarea=True,
        help_text="Your summary for the partner. Write nothing the person said in confidence.",
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and start > end:
            self.add_error("period_end", "The last day must be on or after the first day")
        return cleaned


class ReleaseForm(SharingForm):
    recipient_agency = _text(
        "Agency it goes to", max_length=200, required="Enter the agency it goes to"
    )
    recipient_person = _text("Person it goes to", max_length=200)
    lawful_basis = _basis()


class HoldForm(SharingForm):
    """The reason for a legal hold; when lifting a hold or approving an erasure, a
    confirmation only."""

    reason = _text(
        "Reason for the hold",
        max_length=300,
        help_text="A claim, an inquiry or an investigation: not about the person.",
    )
    confirm = forms.BooleanField(
        label="I have checked that nothing requires this record to be kept",
        required=False,
    )

    def __init__(self, data=None, *, lifting: bool = False, confirming: bool = False):
        super().__init__(data)
        self.confirming = confirming
        if lifting or confirming:
            del self.fields["reason"]
        if not confirming:
            del self.fields["confirm"]

    def clean(self):
        cleaned = super().clean()
        if "reason" in self.fields and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Enter the reason for the hold")
        if self.confirming and not cleaned.get("confirm"):
            self.add_error("confirm", "Confirm that nothing requires this record to be kept")
        return cleaned


class SubjectAccessForm(SharingForm):
    """Logging a request (the date received), extending it (months and reason), or
    completing it (nothing to type)."""

    step = forms.ChoiceField(
        choices=[("log", "log"), ("extend", "extend"), ("complete", "complete")],
        widget=forms.HiddenInput,
        error_messages={
            "required": "The form was incomplete. Reload the page and try again.",
            "invalid_choice": "The form was incomplete. Reload the page and try again.",
        },
    )
    received_on = GovUKDateField(
        label="Date the request was received",
        what="the date the request was received",
        required=False,
    )
    months = forms.TypedChoiceField(
        label="Extend by",
        choices=[(1, "One month"), (2, "Two months")],
        coerce=int,
        required=False,
        widget=forms.RadioSelect,
    )
    reason = _text("Reason for the extension", max_length=300)


class RestrictionForm(SharingForm):
    reason = _text(
        "Reason for the restriction",
        max_length=300,
        help_text="In general terms, for example: the person contests the accuracy of the "
        "assessment. Do not copy the contested content here.",
    )

    def __init__(self, data=None, *, lifting: bool = False):
        super().__init__(data)
        if lifting:
            del self.fields["reason"]
        else:
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = (
                "Enter the reason for the restriction"
            )


class ErasureRequestForm(SharingForm):
    received_on = GovUKDateField(
        label="Date the request was received", what="the date the request was received"
    )
    decision = _choice("Decision", ErasureDecision.choices, "whether to erase or refuse")
    reasons = _text(
        "Reasons for the decision",
        max_length=500,
        required="Enter the reasons for the decision",
        textarea=True,
        help_text="In general terms: they stay readable after the person is erased.",
    )


class RectificationForm(SharingForm):
    """The corrected value of one field (its widget from the field's kind), the reason,
    and, where the field allows it, keeping the old value with why the law requires it."""

    reason = _text(
        "Reason for the correction",
        max_length=500,
        required="Enter the reason for the correction",
        textarea=True,
        help_text="For example: the person showed their passport; the referrer misspelt the name.",
    )
    keep_old = forms.BooleanField(
        label="Keep the old value (encrypted): the law requires it",
        required=False,
    )
    kept_because = _text(
        "Keep the old value because",
        max_length=300,
        help_text="For example: a safeguarding decision was taken on the old date of birth.",
    )
    version = VersionField()

    field_order = ["value", "reason", "keep_old", "kept_because", "version"]
    keeps_old = True

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("keep_old") and not (cleaned.get("kept_because") or "").strip():
            self.add_error("kept_because", "Say why the law requires the old value to be kept")
        return cleaned


def rectification_form(spec) -> type[RectificationForm]:
    """The form for correcting the field ``spec`` describes (rectification.FIELDS)."""
    label = f"Corrected {spec.label.lower()}"
    if spec.kind == "date":
        value = GovUKDateField(label=label, what=f"the {spec.label.lower()}")
    else:
        value = _text(
            label,
            max_length=spec.max_length,
            required=f"Enter the corrected {spec.label.lower()}" if spec.required else None,
            textarea=spec.kind == "text",
        )
    attrs = {"value": value}
    if spec.keep_old == "never":
        attrs |= {"keep_old": None, "kept_because": None, "keeps_old": False}
    return type("RectificationForm", (RectificationForm,), attrs)


class RedactionForm(SharingForm):
    """Withholding an item of the package, or words within it, with the exemption."""

    item = forms.ChoiceField(
        label="Item",
        error_messages={
            "required": "Select the item to withhold",
            "invalid_choice": "Select the item to withhold from the list",
        },
    )
    text = _text(
        "Words to withhold (optional)",
        max_length=1000,
        help_text="Copy the words exactly, for example another person's name. Leave blank "
        "to withhold the whole item.",
    )
    reason = _choice("Reason", WithholdReason.choices, "the reason for withholding it")

    def __init__(self, data=None, *, items=()):
        super().__init__(data)
        self.fields["item"].choices = [("", "Select the item"), *items]
