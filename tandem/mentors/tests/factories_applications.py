"""Test helpers for applications and the pipeline."""

from __future__ import annotations

from tandem.catalogues.models import Area, Language

IP = "203.0.113.5"


def application_answers(**overrides) -> dict:
    """A complete, valid public application as the form posts it."""
    data = {
        "full_name": "Amina Rahman",
        "email": "amina.rahman@example.org",
        "phone": "07700 900982",
        "areas": [a.pk for a in Area.objects.filter(name__in=["Birmingham", "Sandwell"])],
        "languages": [lang.pk for lang in Language.objects.filter(name__in=["Urdu", "English"])],
        "gender": "female",
        "gender_self_description": "",
        "age_band": "35-44",
        "motivation": "I grew up in Sparkbrook and want to give something back.",
        "experience": "Ten years as a youth worker.",
        "has_lived_experience": "no",
        "privacy_confirmed": "on",
        "website": "",
    }
    data.update(overrides)
    return data
