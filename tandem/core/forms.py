"""GOV.UK Design System markup for Django forms.

Every form in Tandem inherits ``GovUKForm`` (or mixes in ``GovUKFormMixin``): the
widgets get GOV.UK classes and the fields render through the GOV.UK form-group,
label, hint and error-message pattern, so templates only write ``{{ form }}``
and include the error summary.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.db import connections
from django.forms.renderers import TemplatesSetting
from django.utils import timezone

from .templatetags.govuk import widget_kind

INPUT_CLASS = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.SelectMultiple: "govuk-select",
    forms.CheckboxSelectMultiple: "govuk-checkboxes__input",
    forms.RadioSelect: "govuk-radios__input",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.FileInput: "govuk-file-upload",
}
ERROR_CLASS = {
    "govuk-input": "govuk-input--error",
    "govuk-textarea": "govuk-textarea--error",
    "govuk-select": "govuk-select--error",
    "govuk-file-upload": "govuk-file-upload--error",
}


class GovUKFormRenderer(TemplatesSetting):
    form_template_name = "core/forms/form.html"
    field_template_name = "core/forms/field.html"


def _css_class(widget: forms.Widget) -> str:
    for widget_type in type(widget).__mro__:
        if widget_type in INPUT_CLASS:
            return INPUT_CLASS[widget_type]
    return "govuk-input"


class GovUKFormMixin:
    # Questions that may be left blank say "(optional)"; filter forms, where every
    # field is optional, turn this off.
    mark_optional = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = _css_class(field.widget)
            existing = field.widget.attrs.get("class", "")
            field.widget.attrs["class"] = f"{css} {existing}".strip()

    def full_clean(self):
        for field in self.fields.values():
            guard_id_range(field)
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                base = _css_class(widget)
                if base in ERROR_CLASS and ERROR_CLASS[base] not in widget.attrs["class"]:
                    widget.attrs["class"] += f" {ERROR_CLASS[base]}"
                # Screen readers announce the error with the field, as GOV.UK asks.
                auto_id = self[name].auto_id
                described = [f"{auto_id}-error"]
                if self.fields[name].help_text:
                    described.insert(0, f"{auto_id}_helptext")
                widget.attrs["aria-describedby"] = " ".join(described)

    def widget_kind(self, name: str) -> str:
        widget = self.fields[name].widget
        if isinstance(widget, GovUKDateInput):
            return "date"
        if isinstance(widget, forms.CheckboxSelectMultiple):
            return "checkboxes"
        if isinstance(widget, forms.RadioSelect):
            return "radios"
        if isinstance(widget, forms.CheckboxInput):
            return "checkbox"
        return "input"


# Ids beyond the database's integer range ------------------------------------------------

INTEGER_KEY_TYPES = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
}


def _key_range(field: forms.ModelChoiceField) -> tuple[int, int] | None:
    """The range the database holds for the column a model choice is looked up by, or
    None when it is not an integer column."""
    model = field.queryset.model
    key = model._meta.get_field(field.to_field_name) if field.to_field_name else model._meta.pk
    internal_type = key.get_internal_type()
    if internal_type not in INTEGER_KEY_TYPES:
        return None
    low, high = connections[field.queryset.db].ops.integer_field_range(internal_type)
    return (-(2**63) if low is None else low, 2**63 - 1 if high is None else high)


def _out_of_range(value, low: int, high: int) -> bool:
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str):
        try:
            number = int(text)
        except (TypeError, ValueError):
            return False  # not a number at all: the field's own checks say so
    elif isinstance(text, int) and not isinstance(text, bool):
        number = text
    else:
        return False
    return not low <= number <= high


def guard_id_range(field: forms.Field) -> None:
    """Make a model choice refuse an id the database cannot hold, as an invalid choice.

    Django finds nothing for an out-of-range id in an exact lookup, but the ``IN``
    lookup behind a multiple choice sends it to the database, which fails (SQLite:
    OverflowError; PostgreSQL: "out of range"), and the page answered 500. Every Tandem
    form (and filter form) passes its fields here before cleaning, so no form needs its
    own check."""
    if not isinstance(field, forms.ModelChoiceField) or getattr(field, "_id_range_guarded", False):
        return
    if field.queryset is None:
        return
    key_range = _key_range(field)
    field._id_range_guarded = True
    if key_range is None:
        return
    original_clean = field.clean

    def clean(value):
        values = value if isinstance(value, list | tuple) else [value]
        for one in values:
            if _out_of_range(one, *key_range):
                raise forms.ValidationError(
                    field.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": str(one)[:20]},
                )
        return original_clean(value)

    field.clean = clean


class GovUKForm(GovUKFormMixin, forms.Form):
    pass


class GovUKModelForm(GovUKFormMixin, forms.ModelForm):
    pass


class GovUKFilterForm(GovUKForm):
    """A GET filter form for a list page, with MoJ filter tags for the filters in use.

    ``quoted_fields`` show their value in quotes (free-text searches);
    ``removes_also`` names fields that lose their meaning when another is removed.
    """

    mark_optional = False  # every filter is optional
    quoted_fields: tuple[str, ...] = ()
    removes_also: dict[str, tuple[str, ...]] = {}

    @property
    def active_filters(self) -> list[dict]:
        """The filters in use, each with a link that removes it."""
        selected = []
        data = getattr(self, "cleaned_data", {})
        for name, field in self.fields.items():
            value = data.get(name)
            if name == "sort" or not value:
                continue
            choices = {str(k): v for k, v in getattr(field, "choices", ())}
            values = value if isinstance(value, list) else [value]
            items = []
            for one in values:
                query = self.data.copy()
                query.pop("page", None)
                if isinstance(value, list):
                    query.setlist(name, [v for v in query.getlist(name) if v != str(one)])
                else:
                    query.pop(name, None)
                for dependent in self.removes_also.get(name, ()):
                    query.pop(dependent, None)
                text = f"“{one}”" if name in self.quoted_fields else str(choices.get(str(one), one))
                items.append({"text": text, "href": f"?{query.urlencode()}"})
            selected.append({"heading": field.label, "items": items})
        return selected


DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %m %Y", "%Y-%m-%d"]
DATE_EXAMPLE = "27/3/2026"


class GovUKDateField(forms.DateField):
    """A date typed as day/month/year in one box, never in the future unless allowed.

    ``what`` completes the error messages: "the date of the review" gives "Enter the
    date of the review" and "The date of the review must be today or in the past".
    """

    widget = forms.DateInput(
        format="%d/%m/%Y",
        attrs={"class": "govuk-input--width-10", "spellcheck": "false", "autocomplete": "off"},
    )

    def __init__(
        self, *, what: str, example: str = DATE_EXAMPLE, allow_future: bool = False, **kwargs
    ):
        self.what = what
        self.allow_future = allow_future
        sentence = what[0].upper() + what[1:]
        kwargs.setdefault("input_formats", DATE_FORMATS)
        kwargs.setdefault("help_text", f"For example, {example}")
        kwargs["error_messages"] = {
            "required": f"Enter {what}",
            "invalid": f"{sentence} must be a real date, like {example}",
            **kwargs.get("error_messages", {}),
        }
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = " ".join(value.split())
        try:
            return super().to_python(value)
        except OverflowError:  # a year beyond what dates can hold
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def validate(self, value):
        super().validate(value)
        if value and not self.allow_future and value > timezone.localdate():
            raise forms.ValidationError(
                f"{self.what[0].upper()}{self.what[1:]} must be today or in the past",
                code="future",
            )


# The GOV.UK date input: day, month and year in three boxes ----------------------------

DATE_PARTS = ("day", "month", "year")


class GovUKDateInput(forms.MultiWidget):
    """Three boxes (day, month, year) in the GOV.UK date-input markup. The field marks
    the boxes an error is about (``error_parts``); only those get the error style."""

    template_name = "core/forms/widgets/date_input.html"

    def __init__(self, attrs=None):
        box = {"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        super().__init__(
            [
                forms.TextInput(attrs={**box, "class": "govuk-input govuk-date-input__input"}),
                forms.TextInput(attrs={**box, "class": "govuk-input govuk-date-input__input"}),
                forms.TextInput(attrs={**box, "class": "govuk-input govuk-date-input__input"}),
            ],
            attrs,
        )
        self.error_parts: tuple[str, ...] = ()

    def value_from_datadict(self, data, files, name):
        parts = super().value_from_datadict(data, files, name)
        if not any(parts) and data.get(name):
            # The date in one piece ("27/3/2009"), as a client without the three boxes
            # may send it: split it into its parts.
            pieces = re.split(r"[/.\-\s]+", str(data.get(name)).strip())
            if len(pieces) == 3:
                if len(pieces[0]) == 4:  # 2009-03-27
                    pieces.reverse()
                return pieces
            return [str(data.get(name)), "", ""]
        return parts

    def decompress(self, value):
        if isinstance(value, dt.date):
            return [str(value.day), str(value.month), str(value.year)]
        if isinstance(value, str) and value:
            try:
                return self.decompress(dt.date.fromisoformat(value))
            except ValueError:
                return ["", "", ""]
        return ["", "", ""]

    def get_context(self, name, value, attrs):
        # The form's error styling and description go to the boxes, not the group.
        attrs = {k: v for k, v in (attrs or {}).items() if k not in ("class", "required")}
        context = super().get_context(name, value, attrs)
        widths = ("govuk-input--width-2", "govuk-input--width-2", "govuk-input--width-4")
        for part, width, sub in zip(
            DATE_PARTS, widths, context["widget"]["subwidgets"], strict=True
        ):
            css = f"govuk-input govuk-date-input__input {width}"
            if part in self.error_parts:
                css += " govuk-input--error"
            sub["attrs"]["class"] = css
            sub["attrs"].pop("aria-describedby", None)
            sub["part"] = part
            sub["label"] = part.capitalize()
        return context

    def id_for_label(self, id_):
        return f"{id_}_0" if id_ else id_


class GovUKDateInputField(forms.MultiValueField):
    """A date entered in the GOV.UK date input, with the GOV.UK error messages: "Enter
    <what>", "<Label> must include a month", "<Label> must be a real date", "Year must
    include 4 numbers", and "<Label> must be in the past" unless ``allow_future``.

    ``what`` completes "Enter …" ("the person's date of birth"); the field's label
    starts the other messages."""

    widget = GovUKDateInput

    def __init__(
        self, *, what: str, example: str = "27 3 2007", allow_future: bool = False, **kwargs
    ):
        self.what = what
        self.allow_future = allow_future
        kwargs.setdefault("help_text", f"For example, {example}")
        parts = [forms.CharField(required=False, max_length=10) for _ in DATE_PARTS]
        super().__init__(parts, require_all_fields=False, **kwargs)
        self.error_messages["required"] = f"Enter {what}"

    def _refuse(self, message: str, code: str, parts=DATE_PARTS):
        self.widget.error_parts = tuple(parts)
        raise forms.ValidationError(message, code=code)

    def clean(self, value):
        self.widget.error_parts = ()
        if not isinstance(value, list | tuple):
            value = self.widget.decompress(value)
        texts = [str(v or "").strip() for v in [*value, "", "", ""][:3]]
        label = str(self.label or "The date")
        if not any(texts):
            if self.required:
                self._refuse(self.error_messages["required"], "required")
            return None
        missing = [part for part, text in zip(DATE_PARTS, texts, strict=True) if not text]
        if missing:
            words = " and ".join(missing) if len(missing) < 3 else "day, month and year"
            self._refuse(f"{label} must include a {words}", "incomplete", missing)
        if not all(text.isascii() and text.isdigit() for text in texts):
            wrong = [
                p
                for p, t in zip(DATE_PARTS, texts, strict=True)
                if not (t.isascii() and t.isdigit())
            ]
            self._refuse(f"{label} must be a real date", "invalid", wrong)
        day, month, year = texts
        if len(year) != 4:
            self._refuse("Year must include 4 numbers", "year", ("year",))
        try:
            date = dt.date(int(year), int(month), int(day))
        except ValueError:
            self._refuse(f"{label} must be a real date", "invalid")
        if not self.allow_future and date >= timezone.localdate() + dt.timedelta(days=1):
            self._refuse(f"{label} must be in the past", "future")
        return date

    def compress(self, data_list):  # clean() does the work
        return None

    def has_changed(self, initial, data):
        return self.widget.decompress(initial) != list(data or [])


# "Check your answers" -------------------------------------------------------------------

NOT_GIVEN = "Not given"


def answer_text(bound_field) -> str:
    """A valid answer in words, as a "check your answers" page shows it."""
    field = bound_field.field
    value = bound_field.form.cleaned_data.get(bound_field.name)
    if isinstance(field, forms.BooleanField):
        return "Yes" if value else "No"
    if isinstance(field, forms.ModelMultipleChoiceField):
        return ", ".join(str(item) for item in value) if value else "None selected"
    if isinstance(field, forms.ModelChoiceField):
        if value is None:
            return field.empty_label or NOT_GIVEN
        return str(value)
    if isinstance(field, forms.MultipleChoiceField):
        labels = dict(field.choices)
        return ", ".join(str(labels.get(v, v)) for v in value) if value else "None selected"
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, value)) if value else NOT_GIVEN
    if isinstance(value, dt.date):
        return f"{value.day} {value:%B %Y}"
    text = str(value).strip() if value is not None else ""
    return text or NOT_GIVEN


def answer_rows(form, *, change_url: str) -> list[dict]:
    """One row per visible question of a valid ``form``, in the form's order: the
    question, the answer in words and the link that changes it (``change_url`` with the
    field's anchor). Built from the form, so a question added to it is shown too."""
    rows = []
    for bound_field in form.visible_fields():
        kind = widget_kind(bound_field)
        anchor = (
            f"{bound_field.auto_id}_0"
            if kind in {"checkboxes", "radios", "date"}
            else bound_field.auto_id
        )
        rows.append(
            {
                "name": bound_field.name,
                "label": str(bound_field.label),
                "answer": answer_text(bound_field),
                "href": f"{change_url}#{anchor}",
            }
        )
    return rows


FORM_INCOMPLETE = "The form was incomplete. Reload the page and try again."


class VersionField(forms.IntegerField):
    """The version of a record as the page showed it, carried back so that a form posted
    from a stale page is refused rather than applied. A hidden whole number in ASCII
    digits: anything else means the page was cut short or altered, and every error says
    so in ``message``."""

    widget = forms.HiddenInput

    def __init__(self, *, message: str = FORM_INCOMPLETE, **kwargs):
        self.message = message
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**31 - 1)
        kwargs["error_messages"] = dict.fromkeys(
            ["required", "invalid", "min_value", "max_value"], message
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        text = value.strip() if isinstance(value, str) else ""
        if text and not (text.isascii() and text.isdigit()):
            raise forms.ValidationError(self.message, code="invalid")
        return super().to_python(value)
