"""The case list's filter form: the shape of the reference typed in.

The questions themselves, and what each does to the list, are ``CaseFilter``'s.
"""

from __future__ import annotations

import re

from django import forms

from tandem.core.forms import GovUKFilterForm

REFERENCE_RE = re.compile(r"^T-\d{4}-\d{4,}$")


class CaseFilterForm(GovUKFilterForm):
    def clean_reference(self) -> str:
        value = "".join(self.cleaned_data.get("reference", "").split()).upper()
        if value and not REFERENCE_RE.match(value):
            raise forms.ValidationError("Enter a case reference in the format T-2026-0042")
        return value
