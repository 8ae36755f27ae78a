"""Ethnic groups as the 2021 census for England and Wales asks them: 19 detailed groups
under 5 high-level groups, plus "prefer not to say". Answering is voluntary; the "any
other" groups invite a description in the person's own words.

Ethnicity is special-category data: the models that hold it encrypt both the group and
the description, pages show it only to those who need it, and aggregates use it only
through the shared disclosure control (``tandem.core.disclosure``). Aggregates count the
high-level groups, which keeps cells large enough to be shown.
"""

from __future__ import annotations

from django import forms

PREFER_NOT_TO_SAY = "not_said"
NOT_RECORDED = ""

# (high-level group, [(code, detailed group)]), in the census's order.
GROUPS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "asian",
        "Asian, Asian British or Asian Welsh",
        (
            ("asian_bangladeshi", "Bangladeshi"),
            ("asian_chinese", "Chinese"),
            ("asian_indian", "Indian"),
            ("asian_pakistani", "Pakistani"),
            ("asian_other", "Any other Asian background"),
        ),
    ),
    (
        "black",
        "Black, Black British, Black Welsh, Caribbean or African",
        (
            ("black_african", "African"),
            ("black_caribbean", "Caribbean"),
            ("black_other", "Any other Black, Black British or Caribbean background"),
        ),
    ),
    (
        "mixed",
        "Mixed or multiple ethnic groups",
        (
            ("mixed_white_asian", "White and Asian"),
            ("mixed_white_black_african", "White and Black African"),
            ("mixed_white_black_caribbean", "White and Black Caribbean"),
            ("mixed_other", "Any other Mixed or multiple ethnic background"),
        ),
    ),
    (
        "white",
        "White",
        (
            ("white_british", "English, Welsh, Scottish, Northern Irish or British"),
            ("white_irish", "Irish"),
            ("white_gypsy_traveller", "Gypsy or Irish Traveller"),
            ("white_roma", "Roma"),
            ("white_other", "Any other White background"),
        ),
    ),
    (
        "other",
        "Other ethnic group",
        (
            ("other_arab", "Arab"),
            ("other_any", "Any other ethnic group"),
        ),
    ),
)

DETAILED: dict[str, str] = {code: label for _, _, groups in GROUPS for code, label in groups}
HIGH_LEVEL: dict[str, str] = {code: label for code, label, _ in GROUPS}
HIGH_LEVEL_OF: dict[str, str] = {code: high for high, _, groups in GROUPS for code, _ in groups}
# The groups whose answer invites the person's own words.
DESCRIBED = frozenset(code for code in DETAILED if code.endswith(("_other", "_any")))

# Rows of an aggregate, in order: the five high-level groups, then the two non-answers.
AGGREGATE_ROWS: tuple[tuple[str, str], ...] = (
    *((code, label) for code, label, _ in GROUPS),
    (PREFER_NOT_TO_SAY, "Prefer not to say"),
    (NOT_RECORDED, "Not recorded"),
)


def choices() -> list:
    """Grouped choices for a select: the census's headings as option groups."""
    return [
        ("", "Not answered"),
        *((label, list(groups)) for _, label, groups in GROUPS),
        (PREFER_NOT_TO_SAY, "Prefer not to say"),
    ]


def is_valid(code: str) -> bool:
    return code in DETAILED or code in (PREFER_NOT_TO_SAY, NOT_RECORDED)


def label(code: str) -> str:
    """The answer in words ("Asian, Asian British or Asian Welsh: Pakistani")."""
    if code == PREFER_NOT_TO_SAY:
        return "Prefer not to say"
    if code in DETAILED:
        return f"{HIGH_LEVEL[HIGH_LEVEL_OF[code]]}: {DETAILED[code]}"
    return "Not recorded"


def aggregate_key(code: str) -> str:
    """The row an answer is counted in: its high-level group, or the non-answer."""
    if code in HIGH_LEVEL_OF:
        return HIGH_LEVEL_OF[code]
    if code == PREFER_NOT_TO_SAY:
        return PREFER_NOT_TO_SAY
    return NOT_RECORDED


class EthnicityField(forms.ChoiceField):
    """The census question as a select with option groups; voluntary."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Ethnic group (optional)")
        kwargs.setdefault(
            "help_text",
            "Voluntary. Used only to see whether the scheme reaches and reflects everyone; "
            "it is kept encrypted and counted only in protected totals.",
        )
        kwargs.setdefault(
            "error_messages", {"invalid_choice": "Select an ethnic group from the list"}
        )
        super().__init__(choices=choices(), required=False, **kwargs)


class EthnicityDescriptionField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Ethnic group in your own words (optional)")
        kwargs.setdefault(
            "help_text", "For an \u201cany other\u201d group, if you want to describe it."
        )
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault(
            "error_messages",
            {"max_length": "The description must be 100 characters or fewer"},
        )
        super().__init__(required=False, **kwargs)
