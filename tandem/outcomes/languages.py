"""The languages questionnaire wording can be held in besides English.

A scheme sets ``TANDEM_QUESTIONNAIRE_LANGUAGES`` to a list of (code, name) pairs, the
name written in the language itself so that a person can find theirs. A questionnaire
is offered in a language only once every item's wording is held in it."""

from __future__ import annotations

from django.conf import settings

DEFAULT = [("cy", "Cymraeg"), ("ur", "اردو"), ("ar", "العربية")]
# Languages written right to left: the page sets dir="rtl" for them.
RIGHT_TO_LEFT = frozenset({"ar", "ur", "fa", "ps", "he", "yi"})


def configured_languages() -> list[tuple[str, str]]:
    return [
        (code, name)
        for code, name in getattr(settings, "TANDEM_QUESTIONNAIRE_LANGUAGES", DEFAULT)
        if code != "en"
    ]


def language_name(code: str) -> str:
    return dict([("en", "English"), *configured_languages()]).get(code, code)
