from django import forms

from tandem.core.forms import GovUKForm

DATE_FORMATS = ["%d/%m/%Y", "%d %m %Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]
DATE_HINT = "For example, 27/3/2026"


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_FORMATS,
        help_text=DATE_HINT,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"class": "govuk-input--width-10"}),
        error_messages={"invalid": f"{label} must be a real date, for example 27/3/2026"},
    )


class AuditSearchForm(GovUKForm):
    """The filters of the audit log page. Every field is optional; an empty form lists all."""

    email = forms.EmailField(
        label="User's email address",
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.org"
        },
    )
    object_type = forms.RegexField(
        label="Record type",
        required=False,
        max_length=100,
        regex=r"^[A-Za-z][A-Za-z0-9_.]*$",
        help_text="For example, accounts.user",
        error_messages={"invalid": "Record type must be like accounts.user"},
    )
    object_id = forms.RegexField(
        label="Record ID",
        required=False,
        max_length=64,
        regex=r"^[A-Za-z0-9._:-]+$",
        error_messages={
            "invalid": "Record ID must only include letters, numbers, dots, dashes and colons"
        },
    )
    action = forms.RegexField(
        label="Action",
        required=False,
        max_length=100,
        regex=r"^[A-Za-z][A-Za-z0-9_.]*$",
        help_text="For example, user.deactivate, or user for every action on users",
        error_messages={"invalid": "Action must be like user.deactivate"},
    )
    date_from = _date_field("Date from")
    date_to = _date_field("Date to")

    def clean_email(self):
        return self.cleaned_data["email"].lower()

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", "Date to must be the same as or after date from")
        return cleaned
