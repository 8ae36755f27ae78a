"""Wording that follows a number."""

from __future__ import annotations

from django.utils.translation import ngettext


def counted(count: int, singular: str, plural: str) -> str:
    """The wording that agrees with ``count``, which the text may show as ``%(count)d``:
    ``counted(days, "%(count)d day", "%(count)d days")`` gives "1 day" or "3 days".

    Built on ``ngettext``, as the ``pluralize`` filter is in templates, so that a
    language whose plurals differ from English's needs a translation, not a code change.
    """
    return ngettext(singular, plural, count) % {"count": count}


_PLAIN = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2026": "...",
    }
)


def latin1(text: str | None) -> str:
    """``text`` for a PDF's built-in fonts (Helvetica covers Latin-1 only): typographic
    punctuation in its plain form, anything else outside Latin-1 as "?" rather than a
    failure."""
    return (text or "").translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")
