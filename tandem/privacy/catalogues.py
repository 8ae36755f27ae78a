"""Information sharing's own list on the catalogue pages: the lawful bases a disclosure
may rest on. Registered from ``PrivacyConfig.ready()``."""

from __future__ import annotations

from django import forms

from tandem.catalogues import forms as catalogue_forms
from tandem.catalogues import registry

from .models import LawfulBasis

LAWFUL_BASES = registry.Catalogue(
    "lawful-bases",
    LawfulBasis,
    "Lawful bases for sharing",
    "lawful basis",
    "What a disclosure outside the scheme rests on: a UK GDPR Article 6 basis, with the "
    "Article 9 or 10 condition and the Data Protection Act 2018 Schedule 1 condition that "
    "special-category and criminal-offence data also need.",
)


class LawfulBasisForm(catalogue_forms.EntryForm):
    article_6 = forms.CharField(label="UK GDPR Article 6 basis", max_length=200)
    special_condition = forms.CharField(
        label="Article 9 or 10 condition", max_length=200, required=False
    )
    schedule_1 = forms.CharField(
        label="Data Protection Act 2018 Schedule 1 condition", max_length=200, required=False
    )


def register() -> None:
    registry.register(LAWFUL_BASES)
    catalogue_forms.register_form(LAWFUL_BASES.slug, LawfulBasisForm)
