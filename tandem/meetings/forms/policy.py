"""The scheme's thresholds for contact monitoring, lone working and claims."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from tandem.core.forms import GovUKModelForm

from ..models import MeetingsPolicy

# Long enough for any real threshold; short enough that a typo is caught.
MAX_MINUTES = 24 * 60


class MeetingsPolicyForm(GovUKModelForm):
    gap_multiple = forms.DecimalField(
        label="Alert when a case goes this many times its planned rhythm without a session",
        help_text="For example 2: a weekly case alerts after 14 days without a held session.",
        min_value=Decimal(1),
        max_value=Decimal(10),
        decimal_places=1,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-4"}),
        error_messages={
            "required": "Enter how many times the planned rhythm, like 2",
            "invalid": "Enter a number like 2 or 1.5",
            "min_value": "Enter a number of at least 1",
            "max_value": "Enter a number of at most 10",
            "max_decimal_places": "Enter a number with at most one decimal place, like 1.5",
        },
    )
    missed_in_a_row = forms.IntegerField(
        label="Alert after this many did-not-attends in a row",
        min_value=1,
        max_value=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}),
        error_messages={
            "required": "Enter a number of did-not-attends, like 2",
            "invalid": "Enter a whole number, like 2",
            "min_value": "Enter a number of at least 1",
            "max_value": "Enter a number of at most 10",
        },
    )
    check_out_grace_minutes = forms.IntegerField(
        label="Minutes after a session's end before a missed lone-working check-out alerts",
        min_value=0,
        max_value=MAX_MINUTES,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
        error_messages={
            "required": "Enter a number of minutes, like 30",
            "invalid": "Enter a whole number of minutes, like 30",
            "min_value": "Enter 0 minutes or more",
            "max_value": f"Enter at most {MAX_MINUTES} minutes (a day)",
        },
    )
    check_out_escalation_minutes = forms.IntegerField(
        label="Minutes after that alert before an unacknowledged one escalates",
        min_value=1,
        max_value=MAX_MINUTES,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
        error_messages={
            "required": "Enter a number of minutes, like 30",
            "invalid": "Enter a whole number of minutes, like 30",
            "min_value": "Enter 1 minute or more",
            "max_value": f"Enter at most {MAX_MINUTES} minutes (a day)",
        },
    )
    pays_did_not_attend = forms.BooleanField(
        label="Mentors may claim for a session the person did not attend",
        required=False,
    )

    class Meta:
        model = MeetingsPolicy
        fields = [
            "gap_multiple",
            "missed_in_a_row",
            "check_out_grace_minutes",
            "check_out_escalation_minutes",
            "pays_did_not_attend",
        ]
