"""The pool's filter form: how the questions of the filter panel behave together.

The questions themselves, and what each does to the list, are ``PoolFilter``'s.
"""

from __future__ import annotations

from tandem.core.filters import ANY
from tandem.core.forms import GovUKFilterForm


class PoolFilterForm(GovUKFilterForm):
    quoted_fields = ("q",)
    # A proficiency means nothing without its language.
    removes_also = {"language": ("proficiency",)}

    RADIO_FIELDS = ("matchable", "online", "lived_experience")

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            # A radio group left out of the query means "Any": show that option selected.
            data = data.copy()
            for name in self.RADIO_FIELDS:
                data.setdefault(name, ANY)
        super().__init__(data, *args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("proficiency") and not cleaned.get("language"):
            self.add_error("proficiency", "Select a language to filter by minimum proficiency")
        return cleaned
