from django import forms

from tandem.core.forms import GovUKDateField, GovUKForm


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


class DashboardRangeForm(GovUKForm):
    """The dashboard's date range: from and to, at most five years apart."""

    mark_optional = False
    start = GovUKDateField(label="From", what="the first day of the range")
    end = GovUKDateField(label="To", what="the last day of the range")

    def clean(self):
        from .dashboard import MAX_YEARS

        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                self.add_error("end", "The last day of the range must be on or after the first")
            elif end.year - start.year > MAX_YEARS or (
                end.year - start.year == MAX_YEARS
                and (end.month, end.day) >= (start.month, start.day)
            ):
                self.add_error("start", f"The range must be {MAX_YEARS} years or shorter")
        return data
