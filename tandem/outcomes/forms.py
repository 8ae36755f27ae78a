"""Forms: an instrument's definition (one form with a row of fields per item and per
subscale, so one error summary covers the page), making an answer link, answering a
questionnaire and the download choices. Shape of input only: the definition's rules are
checked by tandem.outcomes.scoring, whose message is shown as the form's error."""

from __future__ import annotations

from django import forms

from tandem.core.forms import GovUKForm, _css_class

from .languages import configured_languages
from .models import Channel, Occasion, Respondent
from .scoring import DEFAULT_LANGUAGE, METHODS, Definition, DefinitionError, validate


def _dress(form) -> None:
    """GOV.UK classes for fields added after the form was made (GovUKForm dresses the
    fields it is made with)."""
    for field in form.fields.values():
        if "class" not in field.widget.attrs:
            field.widget.attrs["class"] = _css_class(field.widget)


BLANK_ITEM_ROWS = 3
BLANK_SUBSCALE_ROWS = 2
MAX_ROWS = 60


class InstrumentForm(GovUKForm):
    name = forms.CharField(label="Name", max_length=150)
    description = forms.CharField(
        label="What it is for",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    respondent = forms.ChoiceField(label="Who answers it", choices=Respondent.choices)
    at_start = forms.BooleanField(label="Ask at the start of support", required=False)
    at_review = forms.BooleanField(label="Ask at every review", required=False)
    at_closure = forms.BooleanField(label="Ask at closure", required=False)
    at_follow_up = forms.BooleanField(label="Ask at each follow-up", required=False)
    scale_min = forms.IntegerField(
        label="Lowest answer on the scale", min_value=-100, max_value=100
    )
    scale_max = forms.IntegerField(
        label="Highest answer on the scale", min_value=-100, max_value=100
    )
    total_name = forms.CharField(
        label="Name of the total score",
        help_text="Leave empty when the items are reported only one by one or by subscale.",
        max_length=100,
        required=False,
    )
    total_method = forms.ChoiceField(
        label="How the total is scored",
        choices=[(m, m.capitalize()) for m in METHODS],
        required=False,
    )
    total_min_answered = forms.IntegerField(
        label="Items that must be answered for a total",
        min_value=1,
        max_value=MAX_ROWS,
        required=False,
    )
    total_lower_is_better = forms.BooleanField(label="A lower total is better", required=False)
    in_use = forms.BooleanField(
        label="In use",
        help_text="A questionnaire no longer in use is not offered; its answers stay.",
        required=False,
        initial=True,
    )
    change_note = forms.CharField(label="What changed and why", max_length=300, required=False)

    def __init__(self, *args, items: int = 0, subscales: int = 0, lock_respondent=False, **kwargs):
        self.languages = [(DEFAULT_LANGUAGE, "English"), *configured_languages()]
        super().__init__(*args, **kwargs)
        if lock_respondent:
            self.fields["respondent"].disabled = True
        self.item_rows = min(MAX_ROWS, items + BLANK_ITEM_ROWS)
        self.subscale_rows = min(MAX_ROWS, subscales + BLANK_SUBSCALE_ROWS)
        for end, word in (("min", "lowest"), ("max", "highest")):
            for code, language in self.languages:
                self.fields[f"label_{end}_{code}"] = forms.CharField(
                    label=f"Label of the {word} answer ({language})", max_length=100, required=False
                )
        for n in range(1, self.item_rows + 1):
            self.fields[f"item_{n}_code"] = forms.CharField(
                label=f"Item {n}: code",
                help_text="Lower-case letters, digits and underscores, such as “listens”.",
                max_length=40,
                required=False,
            )
            self.fields[f"item_{n}_kind"] = forms.ChoiceField(
                label=f"Item {n}: answered",
                choices=[("scale", "On the scale"), ("text", "In words")],
                required=False,
            )
            for code, language in self.languages:
                self.fields[f"item_{n}_text_{code}"] = forms.CharField(
                    label=f"Item {n}: wording ({language})", max_length=500, required=False
                )
            self.fields[f"item_{n}_reverse"] = forms.BooleanField(
                label=f"Item {n} is reverse-scored", required=False
            )
            self.fields[f"item_{n}_subscale"] = forms.CharField(
                label=f"Item {n}: subscale code", max_length=40, required=False
            )
        for n in range(1, self.subscale_rows + 1):
            self.fields[f"subscale_{n}_code"] = forms.CharField(
                label=f"Subscale {n}: code", max_length=40, required=False
            )
            self.fields[f"subscale_{n}_name"] = forms.CharField(
                label=f"Subscale {n}: name", max_length=100, required=False
            )
            self.fields[f"subscale_{n}_method"] = forms.ChoiceField(
                label=f"Subscale {n}: scored by",
                choices=[(m, m.capitalize()) for m in METHODS],
                required=False,
            )
            self.fields[f"subscale_{n}_min_answered"] = forms.IntegerField(
                label=f"Subscale {n}: items that must be answered",
                min_value=1,
                max_value=MAX_ROWS,
                required=False,
            )
            self.fields[f"subscale_{n}_lower_is_better"] = forms.BooleanField(
                label=f"Subscale {n}: a lower score is better", required=False
            )
        _dress(self)

    def groups(self) -> list[tuple[str, list]]:
        """Fieldsets for the template: the instrument, its scale, then each row."""

        def bound(names):
            return [self[name] for name in names]

        labels = [f"label_{e}_{c}" for e in ("min", "max") for c, _ in self.languages]
        result = [
            ("The instrument", bound(["name", "description", "respondent"])),
            ("When it is asked", bound(["at_start", "at_review", "at_closure", "at_follow_up"])),
            ("The answer scale", bound(["scale_min", "scale_max", *labels])),
        ]
        for n in range(1, self.item_rows + 1):
            names = [f"item_{n}_code", f"item_{n}_kind"]
            names += [f"item_{n}_text_{c}" for c, _ in self.languages]
            names += [f"item_{n}_reverse", f"item_{n}_subscale"]
            result.append((f"Item {n}", bound(names)))
        for n in range(1, self.subscale_rows + 1):
            result.append(
                (
                    f"Subscale {n}",
                    bound(
                        [
                            f"subscale_{n}_code",
                            f"subscale_{n}_name",
                            f"subscale_{n}_method",
                            f"subscale_{n}_min_answered",
                            f"subscale_{n}_lower_is_better",
                        ]
                    ),
                )
            )
        result.append(
            (
                "Total score",
                bound(
                    ["total_name", "total_method", "total_min_answered", "total_lower_is_better"]
                ),
            )
        )
        result.append(("This version", bound(["in_use", "change_note"])))
        return result

    def document(self) -> dict:
        data = self.cleaned_data
        languages = [c for c, _ in self.languages]

        def words(prefix):
            return {c: data.get(f"{prefix}_{c}") or "" for c in languages}

        items = []
        for n in range(1, self.item_rows + 1):
            code = (data.get(f"item_{n}_code") or "").strip()
            text = words(f"item_{n}_text")
            if not code and not any(text.values()):
                continue  # a blank row
            kind = data.get(f"item_{n}_kind") or "scale"
            row = {"code": code, "kind": kind, "text": text}
            if kind == "scale":
                row["reverse"] = bool(data.get(f"item_{n}_reverse"))
                subscale = (data.get(f"item_{n}_subscale") or "").strip()
                if subscale:
                    row["subscale"] = subscale
            elif data.get(f"item_{n}_reverse") or data.get(f"item_{n}_subscale"):
                row["reverse"] = bool(data.get(f"item_{n}_reverse"))
                row["subscale"] = (data.get(f"item_{n}_subscale") or "").strip()
            items.append(row)
        subscales = []
        for n in range(1, self.subscale_rows + 1):
            code = (data.get(f"subscale_{n}_code") or "").strip()
            name = (data.get(f"subscale_{n}_name") or "").strip()
            if not code and not name:
                continue
            row = {
                "code": code,
                "name": name,
                "method": data.get(f"subscale_{n}_method") or "mean",
                "higher_is_better": not data.get(f"subscale_{n}_lower_is_better"),
            }
            if data.get(f"subscale_{n}_min_answered"):
                row["min_answered"] = data[f"subscale_{n}_min_answered"]
            subscales.append(row)
        total = None
        if (data.get("total_name") or "").strip():
            total = {
                "name": data["total_name"].strip(),
                "method": data.get("total_method") or "mean",
                "higher_is_better": not data.get("total_lower_is_better"),
            }
            if data.get("total_min_answered"):
                total["min_answered"] = data["total_min_answered"]
        return {
            "scale": {
                "min": data.get("scale_min"),
                "max": data.get("scale_max"),
                "labels": {"min": words("label_min"), "max": words("label_max")},
            },
            "items": items,
            "subscales": subscales,
            "total": total,
        }

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.definition: Definition = validate(self.document())
        except DefinitionError as refusal:
            raise forms.ValidationError(str(refusal)) from refusal
        return cleaned


def initial_from(instrument, definition: Definition) -> dict:
    """The form's initial values for revising ``instrument`` from ``definition``."""
    initial = {
        "name": instrument.name,
        "description": instrument.description,
        "respondent": instrument.respondent,
        "at_start": instrument.at_start,
        "at_review": instrument.at_review,
        "at_closure": instrument.at_closure,
        "at_follow_up": instrument.at_follow_up,
        "in_use": instrument.is_active,
        "scale_min": definition.scale_min,
        "scale_max": definition.scale_max,
    }
    for end, words in definition.labels.items():
        for code, text in words.items():
            initial[f"label_{end}_{code}"] = text
    for n, item in enumerate(definition.items, start=1):
        initial[f"item_{n}_code"] = item.code
        initial[f"item_{n}_kind"] = item.kind
        initial[f"item_{n}_reverse"] = item.reverse
        initial[f"item_{n}_subscale"] = item.subscale
        for code, text in item.text.items():
            initial[f"item_{n}_text_{code}"] = text
    for n, sub in enumerate(definition.subscales, start=1):
        initial[f"subscale_{n}_code"] = sub.code
        initial[f"subscale_{n}_name"] = sub.name
        initial[f"subscale_{n}_method"] = sub.method
        initial[f"subscale_{n}_min_answered"] = sub.min_answered
        initial[f"subscale_{n}_lower_is_better"] = not sub.higher_is_better
    if definition.total is not None:
        initial["total_name"] = definition.total.name
        initial["total_method"] = definition.total.method
        initial["total_min_answered"] = definition.total.min_answered
        initial["total_lower_is_better"] = not definition.total.higher_is_better
    return initial


class LinkForm(GovUKForm):
    instrument = forms.ChoiceField(label="Questionnaire")
    occasion = forms.ChoiceField(label="When it is asked", choices=Occasion.choices)
    channel = forms.ChoiceField(
        label="How the link reaches them", choices=Channel.choices, widget=forms.RadioSelect
    )
    address = forms.CharField(
        label="Email address or mobile number",
        help_text="Used once to send the link and not kept. Leave empty for a QR code.",
        max_length=254,
        required=False,
    )

    def __init__(self, *args, instruments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [(i.key, i.name) for i in instruments]

    def clean(self):
        cleaned = super().clean()
        channel = cleaned.get("channel")
        address = (cleaned.get("address") or "").strip()
        if channel == Channel.EMAIL:
            try:
                forms.EmailField().clean(address)
            except forms.ValidationError:
                self.add_error("address", "Enter an email address, like name@example.org")
        elif channel == Channel.TEXT:
            digits = address.replace(" ", "")
            if not (
                digits.startswith(("+", "0")) and digits[1:].isdigit() and 10 <= len(digits) <= 16
            ):
                self.add_error("address", "Enter a mobile number, like 07700 900 982")
        cleaned["address"] = address
        return cleaned


class AnswerForm(GovUKForm):
    """One radio group per scale item and a text box per text item, in one language.
    Every question may be left unanswered (the scoring says whether enough were)."""

    mark_optional = False

    def __init__(
        self,
        *args,
        definition: Definition,
        language: str = DEFAULT_LANGUAGE,
        with_occasion: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.definition = definition
        if with_occasion:
            self.fields["occasion"] = forms.ChoiceField(
                label="When it is asked", choices=Occasion.choices
            )
        low = definition.label("min", language)
        high = definition.label("max", language)
        for item in definition.items:
            name = f"q_{item.code}"
            if item.kind == "text":
                self.fields[name] = forms.CharField(
                    label=item.wording(language),
                    required=False,
                    max_length=2000,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )
                continue
            choices = []
            for point in definition.points:
                text = str(point)
                if point == definition.scale_min and low:
                    text = f"{point} \N{EN DASH} {low}"
                elif point == definition.scale_max and high:
                    text = f"{point} \N{EN DASH} {high}"
                choices.append((str(point), text))
            self.fields[name] = forms.TypedChoiceField(
                label=item.wording(language),
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )
        _dress(self)

    def answers(self) -> dict:
        return {
            item.code: self.cleaned_data.get(f"q_{item.code}") for item in self.definition.items
        }

    def clean(self):
        cleaned = super().clean()
        given = [cleaned.get(f"q_{i.code}") for i in self.definition.items]
        if not self.errors and all(v in (None, "") for v in given):
            raise forms.ValidationError(
                "Answer at least one question before you send your answers."
            )
        return cleaned
