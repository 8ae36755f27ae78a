"""The person's ethnic group, as coordinators record or correct it."""

from __future__ import annotations

from tandem.catalogues.ethnicity import EthnicityDescriptionField, EthnicityField

from .casework import CaseForm


class CaseEthnicityForm(CaseForm):
    ethnicity = EthnicityField(label="The person's ethnic group (optional)")
    ethnicity_description = EthnicityDescriptionField(
        label="Their ethnic group in their own words (optional)",
        help_text="For an \u201cany other\u201d group, as the person describes it.",
    )
