"""Choosing catalogue entries on a record's form, and the forms of the catalogue pages.

Shape of input only: the services check the rules again and decide everything else.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.db.models import Model, Q
from django.utils.text import slugify

from tandem.core.forms import GovUKForm, VersionField

from .models import CatalogueEntry, CatalogueQuerySet, Specialism
from .registry import Catalogue
from .services import MAX_CODE_LENGTH, MAX_NAME_LENGTH


def _keys(values) -> set:
    keys = set()
    for value in values:
        if value is None:
            continue
        if isinstance(value, Model):
            keys.add(value.pk)
        elif isinstance(value, Iterable) and not isinstance(value, str):
            keys |= _keys(value)
        else:
            keys.add(value)
    return keys


def offered_or_current(model: type[CatalogueEntry], *current) -> CatalogueQuerySet:
    """The entries a record's form may offer: those offered today, plus the values the
    record holds now, retired or not, so that saving the form keeps them.

    ``current`` takes entries, primary keys, None, or iterables of them (a queryset of
    the record's many-to-many values): ``offered_or_current(Area, mentor.areas.all())``.
    """
    return model.objects.filter(Q(is_active=True) | Q(pk__in=_keys(current)))


# The catalogue pages -------------------------------------------------------------------

COORDINATE_PLACES = Decimal("0.00001")  # about a metre: as precise as an area's point needs


class EntryForm(GovUKForm):
    """An entry's name and, for catalogues that have one, its code. The code is asked
    only when the entry is added; the version only when it is changed."""

    name = forms.CharField(
        label="Name",
        max_length=MAX_NAME_LENGTH,
        help_text="As forms and records show it.",
        error_messages={"max_length": f"The name must be {MAX_NAME_LENGTH} characters or fewer"},
    )
    code = forms.CharField(
        label="Code",
        required=False,
        max_length=MAX_CODE_LENGTH,
        help_text="A short identifier in lower-case letters, numbers and hyphens, like "
        "youth-work. Leave it empty to make one from the name. It cannot be changed later.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        error_messages={"max_length": f"The code must be {MAX_CODE_LENGTH} characters or fewer"},
    )
    version = VersionField()

    def __init__(self, data=None, *, catalogue: Catalogue, entry: CatalogueEntry | None = None):
        self.catalogue = catalogue
        self.entry = entry
        initial = {}
        if entry is not None:
            initial = {"name": entry.name, "version": entry.version}
            for name in catalogue.detail_fields:
                value = getattr(entry, name)
                initial[name] = list(value.all()) if name in catalogue.many_to_many else value
        super().__init__(data, initial=initial)
        self.fields["name"].error_messages["required"] = f"Enter the name of the {catalogue.noun}"
        if entry is not None or not catalogue.has_code:
            del self.fields["code"]
        if entry is None:
            del self.fields["version"]

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean(self):
        cleaned = super().clean()
        if "code" in self.fields and not cleaned.get("code") and cleaned.get("name"):
            cleaned["code"] = slugify(cleaned["name"])[:MAX_CODE_LENGTH].strip("-")
            if not cleaned["code"]:
                self.add_error(
                    "code", "Enter a code: one cannot be made from this name, like youth-work"
                )
        return cleaned

    def entry_data(self) -> dict:
        """The answers as the services take them."""
        data = self.cleaned_data
        answers = {
            "name": data["name"],
            "details": {name: data[name] for name in self.catalogue.detail_fields},
        }
        if "code" in self.fields:
            answers["code"] = data["code"]
        return answers


def _coordinate(label: str, limit: int, example: str) -> forms.DecimalField:
    message = f"Enter the {label.lower()} as a number from -{limit} to {limit}, like {example}"
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=-limit,
        max_value=limit,
        help_text=f"In decimal degrees, like {example}.",
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "spellcheck": "false", "class": "govuk-input--width-10"}
        ),
        error_messages=dict.fromkeys(["invalid", "min_value", "max_value"], message),
    )


class AreaForm(EntryForm):
    latitude = _coordinate("Latitude", 90, "52.48142")
    longitude = _coordinate("Longitude", 180, "-1.89983")

    def _rounded(self, name: str):
        value = self.cleaned_data[name]
        return None if value is None else value.quantize(COORDINATE_PLACES, ROUND_HALF_UP)

    def clean_latitude(self):
        return self._rounded("latitude")

    def clean_longitude(self):
        return self._rounded("longitude")

    def clean(self):
        cleaned = super().clean()
        given = {name for name in ("latitude", "longitude") if cleaned.get(name) is not None}
        if len(given) == 1 and not {"latitude", "longitude"} & set(self.errors):
            missing = ({"latitude", "longitude"} - given).pop()
            self.add_error(
                missing,
                f"Enter the {missing} too: an area's point needs both, or leave both empty",
            )
        return cleaned


class SpecialismForm(EntryForm):
    requires_qualification = forms.BooleanField(
        label="A mentor claiming it must record their qualification",
        required=False,
    )
    is_theology = forms.BooleanField(
        label="It is a theology or faith-tradition specialism",
        required=False,
    )


class ConcernTypeForm(EntryForm):
    specialisms = forms.ModelMultipleChoiceField(
        label="Specialisms that fit this concern",
        queryset=Specialism.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Matching prefers mentors who have them. Select all that apply.",
        error_messages={
            "invalid_choice": "Select specialisms from the list",
            "invalid_pk_value": "Select specialisms from the list",
        },
    )

    def __init__(self, data=None, *, catalogue: Catalogue, entry=None):
        super().__init__(data, catalogue=catalogue, entry=entry)
        current = entry.specialisms.all() if entry is not None else ()
        self.fields["specialisms"].queryset = offered_or_current(Specialism, current)


FORMS: dict[str, type[EntryForm]] = {
    "areas": AreaForm,
    "specialisms": SpecialismForm,
    "concern-types": ConcernTypeForm,
}


def register_form(slug: str, form: type[EntryForm]) -> None:
    """The entry form of a catalogue an app registers (see ``registry.register``)."""
    FORMS[slug] = form


def entry_form(catalogue: Catalogue, data=None, *, entry=None) -> EntryForm:
    return FORMS.get(catalogue.slug, EntryForm)(data, catalogue=catalogue, entry=entry)


class MoveForm(GovUKForm):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])
