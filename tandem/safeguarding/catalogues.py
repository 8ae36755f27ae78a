"""Safeguarding's own lists on the catalogue pages: the categories of concern and the
agencies concerns are escalated to. Registered from ``SafeguardingConfig.ready()``."""

from __future__ import annotations

from django import forms

from tandem.catalogues import forms as catalogue_forms
from tandem.catalogues import registry

from .models import Agency, ConcernCategory

CATEGORIES = registry.Catalogue(
    "concern-categories",
    ConcernCategory,
    "Categories of safeguarding concern",
    "category of concern",
    "What a safeguarding concern is about: risk of serious harm to others, risk to self, "
    "child protection, exploitation, risk to the mentor and others. A serious category "
    "calls for a debrief with the mentor.",
)
AGENCIES = registry.Catalogue(
    "escalation-agencies",
    Agency,
    "Agencies concerns are escalated to",
    "agency",
    "Where the safeguarding lead can escalate a concern: the police or the statutory "
    "prevention route, social care, health, probation, emergency services.",
)


class CategoryForm(catalogue_forms.EntryForm):
    is_serious = forms.BooleanField(
        label="Serious: a concern of this kind on a mentor's case calls for a debrief",
        required=False,
    )
    about_mentor = forms.BooleanField(
        label="About the mentor's own safety (offered to mentors raising one about themselves)",
        required=False,
    )


def register() -> None:
    registry.register(CATEGORIES)
    registry.register(AGENCIES)
    catalogue_forms.register_form(CATEGORIES.slug, CategoryForm)
