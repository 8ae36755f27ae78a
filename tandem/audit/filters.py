"""The audit log's search: what each term asks and how it narrows the events the user
may see."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from tandem.core.filters import GovUKFilterSet
from tandem.core.forms import DATE_EXAMPLE, DATE_FORMATS

from .forms import AuditSearchForm

NAME_RE = r"^[A-Za-z][A-Za-z0-9_.]*$"


class EmailFilter(django_filters.CharFilter):
    field_class = forms.EmailField


class RegexFilter(django_filters.CharFilter):
    field_class = forms.RegexField


def _date_filter(label: str, method: str) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        label=label,
        method=method,
        input_formats=DATE_FORMATS,
        help_text=f"For example, {DATE_EXAMPLE}",
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"class": "govuk-input--width-10"}),
        error_messages={"invalid": f"{label} must be a real date, for example {DATE_EXAMPLE}"},
    )


def _start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class AuditEventFilter(GovUKFilterSet):
    """``email`` matches the address the actor had then or has now; ``action`` matches
    exactly or as a dotted prefix ("user" finds "user.deactivate"); dates are whole days
    in the scheme's time zone, both ends included."""

    email = EmailFilter(
        label="User's email address",
        method="filter_email",
        max_length=254,
        widget=forms.EmailInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.org"
        },
    )
    object_type = RegexFilter(
        label="Record type",
        max_length=100,
        regex=NAME_RE,
        help_text="For example, accounts.user",
        error_messages={"invalid": "Record type must be like accounts.user"},
    )
    object_id = RegexFilter(
        label="Record ID",
        max_length=64,
        regex=r"^[A-Za-z0-9._:-]+$",
        error_messages={
            "invalid": "Record ID must only include letters, numbers, dots, dashes and colons"
        },
    )
    action = RegexFilter(
        label="Action",
        method="filter_action",
        max_length=100,
        regex=NAME_RE,
        help_text="For example, user.deactivate, or user for every action on users",
        error_messages={"invalid": "Action must be like user.deactivate"},
    )
    date_from = _date_filter("Date from", "filter_from")
    date_to = _date_filter("Date to", "filter_to")

    class Meta:
        form = AuditSearchForm

    def filter_email(self, events, name, value):
        return events.filter(Q(actor_label=value) | Q(actor__email=value))

    def filter_action(self, events, name, value):
        return events.filter(Q(action=value) | Q(action__startswith=f"{value}."))

    def filter_from(self, events, name, value):
        return events.filter(occurred_at__gte=_start_of_day(value))

    def filter_to(self, events, name, value):
        return events.filter(occurred_at__lt=_start_of_day(value + dt.timedelta(days=1)))
