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
