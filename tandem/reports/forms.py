from django import forms

from tandem.core.forms import GovUKForm


class ExportRequestForm(GovUKForm):
    purpose = forms.CharField(
        label="What the export is for",
        help_text=(
            "For example, the evaluation question or report it serves. It is kept in the "
            "audit log with the export."
        ),
        min_length=10,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter what the export is for",
            "min_length": "Say what the export is for in at least 10 characters",
            "max_length": "What the export is for must be 500 characters or fewer",
        },
    )
