"""The pool's filters: what each question of the filter panel asks and how it narrows
the mentors the user may see.

Catalogue choices (languages, areas, specialisms, levels) are loaded once when the
filters are built, so cleaning never queries and a bad value such as ``?area=abc`` is
an ordinary validation error rather than a database error.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When

from tandem.catalogues.models import Area, Language, Specialism
from tandem.core.filters import GovUKFilterSet, SortFilter, with_any

from .forms.pool import PoolFilterForm
from .matchability import filter_can_take
from .models import (
    Accreditation,
    AccreditationLevel,
    AgeBand,
    Gender,
    Mentor,
    MentorLanguage,
    MentorSpecialism,
    MentorStatus,
    Proficiency,
)

YES = "yes"
NO = "no"
NO_CURRENT = "none"
YES_NO = [(YES, "Yes"), (NO, "No")]

# Proficiency from least to most; "at least fluent" means fluent or first language.
PROFICIENCY_ORDER = [choice.value for choice in Proficiency]


def _status_order():
    return Case(
        *(When(status=status, then=Value(i)) for i, status in enumerate(MentorStatus.values)),
        default=Value(len(MentorStatus.values)),
        output_field=IntegerField(),
    )


ORDERINGS = {
    "name": ("Name (A to Z)", ("full_name", "pk")),
    "status": ("Status (pipeline order)", (_status_order(), "full_name", "pk")),
    "applied_desc": ("Date applied (newest first)", ("-applied_on", "full_name", "pk")),
    "applied_asc": ("Date applied (oldest first)", ("applied_on", "full_name", "pk")),
}


class PoolFilter(GovUKFilterSet):
    """Filters the pool; ``today`` dates matchability and current accreditation."""

    q = django_filters.CharFilter(
        label="Name or email address",
        method="filter_name_or_email",
        max_length=100,
        error_messages={"max_length": "Name or email address must be 100 characters or fewer"},
    )
    status = django_filters.MultipleChoiceFilter(
        label="Status",
        choices=MentorStatus.choices,
        distinct=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select statuses from the list"},
    )
    matchable = django_filters.ChoiceFilter(
        label="Can take a case today",
        method="filter_matchable",
        choices=YES_NO,
        empty_label="Any",
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select whether the mentor can take a case today"},
    )
    language = django_filters.TypedChoiceFilter(
        label="Language",
        method="filter_language",
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Select a language from the list"},
    )
    proficiency = django_filters.ChoiceFilter(
        label="Minimum proficiency in that language",
        method="filter_proficiency",
        choices=Proficiency.choices,
        empty_label="Any",
        error_messages={"invalid_choice": "Select a proficiency from the list"},
    )
    gender = django_filters.ChoiceFilter(
        label="Gender",
        method="filter_not_recorded_or_exact",
        choices=[*Gender.choices, (NO_CURRENT, "Not recorded")],
        empty_label="Any",
        error_messages={"invalid_choice": "Select a gender from the list"},
    )
    age_band = django_filters.ChoiceFilter(
        label="Age band",
        method="filter_not_recorded_or_exact",
        choices=[*AgeBand.choices, (NO_CURRENT, "Not recorded")],
        empty_label="Any",
        error_messages={"invalid_choice": "Select an age band from the list"},
    )
    specialism = django_filters.TypedChoiceFilter(
        label="Specialism",
        method="filter_specialism",
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Select a specialism from the list"},
    )
    area = django_filters.TypedChoiceFilter(
        label="Area served",
        method="filter_area",
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Select an area from the list"},
    )
    online = django_filters.ChoiceFilter(
        label="Offers online sessions",
        method="filter_yes_no",
        field_name="offers_online",
        choices=YES_NO,
        empty_label="Any",
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select whether the mentor offers online sessions"},
    )
    lived_experience = django_filters.ChoiceFilter(
        label="Lived experience",
        method="filter_yes_no",
        field_name="has_lived_experience",
        choices=YES_NO,
        empty_label="Any",
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select whether the mentor has lived experience"},
    )
    accreditation = django_filters.ChoiceFilter(
        label="Current accreditation",
        method="filter_accreditation",
        empty_label="Any",
        error_messages={"invalid_choice": "Select an accreditation level from the list"},
    )
    sort = SortFilter(orderings=ORDERINGS)

    class Meta:
        form = PoolFilterForm

    def __init__(self, data=None, queryset=None, *, today: dt.date, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.today = today
        self.filters["language"].extra["choices"] = with_any(
            "Any language", Language.objects.values_list("pk", "name")
        )
        self.filters["specialism"].extra["choices"] = with_any(
            "Any specialism", Specialism.objects.values_list("pk", "name")
        )
        self.filters["area"].extra["choices"] = with_any(
            "Any area", Area.objects.values_list("pk", "name")
        )
        self.filters["accreditation"].extra["choices"] = [
            *((level.code, level.name) for level in AccreditationLevel.objects.all()),
            (NO_CURRENT, "No current accreditation"),
        ]

    def filter_name_or_email(self, mentors, name, value):
        return mentors.filter(Q(full_name__icontains=value) | Q(email__icontains=value))

    def filter_matchable(self, mentors, name, value):
        return filter_can_take(mentors, can_take=value == YES, today=self.today)

    def filter_language(self, mentors, name, value):
        return mentors.filter(
            Exists(MentorLanguage.objects.filter(mentor=OuterRef("pk"), language_id=value))
        )

    def filter_proficiency(self, mentors, name, value):
        # The form accepts a proficiency only with a valid language.
        at_least = PROFICIENCY_ORDER[PROFICIENCY_ORDER.index(value) :]
        spoken = MentorLanguage.objects.filter(
            mentor=OuterRef("pk"),
            language_id=self.form.cleaned_data["language"],
            proficiency__in=at_least,
        )
        return mentors.filter(Exists(spoken))

    def filter_area(self, mentors, name, value):
        return mentors.filter(
            Exists(Mentor.areas.through.objects.filter(mentor=OuterRef("pk"), area_id=value))
        )

    def filter_specialism(self, mentors, name, value):
        return mentors.filter(
            Exists(MentorSpecialism.objects.filter(mentor=OuterRef("pk"), specialism_id=value))
        )

    def filter_accreditation(self, mentors, name, value):
        current = Accreditation.objects.filter(
            mentor=OuterRef("pk"),
            revoked_on__isnull=True,
            awarded_on__lte=self.today,
            expires_on__gt=self.today,
        )
        if value == NO_CURRENT:
            return mentors.filter(~Exists(current))
        return mentors.filter(Exists(current.filter(level__code=value)))

    def filter_not_recorded_or_exact(self, mentors, name, value):
        return mentors.filter(**{name: "" if value == NO_CURRENT else value})

    def filter_yes_no(self, mentors, name, value):
        return mentors.filter(**{name: value == YES})
