"""The case list's filters: what each question of the filter panel asks and how it
narrows the cases the user may list.

Catalogue choices (concern types, areas) are loaded once when the filters are built,
so cleaning never queries and a bad value such as ``?area=abc`` is an ordinary
validation error, never a database error or a server error.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import F

from tandem.catalogues.models import Area, ConcernType
from tandem.core.filters import GovUKFilterSet, SortFilter, with_any

from .forms.lists import CaseFilterForm
from .models import CaseStatus, Urgency
from .selectors import INTAKE_STEPS

# Weeks a case has been waiting: since referral, or since it began waiting for a match.
WAITING_WEEKS = {"2": 2, "4": 4, "8": 8}

# By the annotations of selectors.case_list.
ORDERINGS = {
    "received_desc": ("Date received (newest first)", ("-received_at", "-pk")),
    "received_asc": ("Date received (oldest first)", ("received_at", "pk")),
    "urgency": (
        "Urgency, then longest waiting",
        ("urgency_rank", F("waiting_since").asc(nulls_last=True), "received_at", "pk"),
    ),
    "status": ("Status (lifecycle order)", ("status_rank", "-received_at", "-pk")),
    "waiting": (
        "Longest waiting first",
        (F("waiting_since").asc(nulls_last=True), "received_at", "pk"),
    ),
}


class CaseFilter(GovUKFilterSet):
    """Filters ``selectors.case_list``; ``now`` is when waiting times are counted to."""

    reference = django_filters.CharFilter(
        label="Case reference",
        help_text="For example, T-2026-0042",
        max_length=20,
        error_messages={"max_length": "Enter a case reference in the format T-2026-0042"},
    )
    status = django_filters.MultipleChoiceFilter(
        label="Status",
        choices=CaseStatus.choices,
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select statuses from the list"},
    )
    intake = django_filters.ChoiceFilter(
        label="Intake step",
        help_text="Referrals still to screen, or screened with consent still to record.",
        method="filter_intake",
        choices=[(key, label) for key, (label, _) in INTAKE_STEPS.items()],
        empty_label="Any",
        error_messages={"invalid_choice": "Select an intake step from the list"},
    )
    concern_type = django_filters.TypedChoiceFilter(
        label="Concern type",
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Select a concern type from the list"},
    )
    urgency = django_filters.ChoiceFilter(
        label="Urgency",
        choices=Urgency.choices,
        empty_label="Any",
        error_messages={"invalid_choice": "Select an urgency from the list"},
    )
    area = django_filters.TypedChoiceFilter(
        label="Area",
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Select an area from the list"},
    )
    waiting = django_filters.ChoiceFilter(
        label="Waiting time",
        help_text=(
            "Since referral, or since the case began waiting for a match. Only cases "
            "still waiting for support are counted."
        ),
        method="filter_waiting",
        choices=[(key, f"More than {n} weeks") for key, n in WAITING_WEEKS.items()],
        empty_label="Any",
        error_messages={"invalid_choice": "Select a waiting time from the list"},
    )
    sort = SortFilter(orderings=ORDERINGS)

    class Meta:
        form = CaseFilterForm

    def __init__(self, data=None, queryset=None, *, now: dt.datetime, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.now = now
        self.filters["concern_type"].extra["choices"] = with_any(
            "Any concern type", ConcernType.objects.values_list("pk", "name")
        )
        self.filters["area"].extra["choices"] = with_any(
            "Any area", Area.objects.values_list("pk", "name")
        )

    def filter_intake(self, cases, name, value):
        return cases.filter(INTAKE_STEPS[value][1])

    def filter_waiting(self, cases, name, value):
        return cases.filter(waiting_since__lte=self.now - dt.timedelta(weeks=WAITING_WEEKS[value]))
