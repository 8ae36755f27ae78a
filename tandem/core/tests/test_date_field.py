import datetime as dt

import pytest
from django import forms
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tandem.core.forms import GovUKDateField, GovUKForm


class DateForm(GovUKForm):
    when = GovUKDateField(label="When", what="the date of the meeting")
    later = GovUKDateField(label="Later", what="the expiry date", allow_future=True, required=False)


@pytest.mark.parametrize(
    "typed", ["27/3/2020", "27-3-2020", "27.3.2020", "27 3 2020", " 27/03/2020 ", "2020-03-27"]
)
def test_day_month_year_in_the_usual_shapes(typed):
    form = DateForm({"when": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["when"] == dt.date(2020, 3, 27)


def test_messages_complete_the_sentence():
    assert DateForm({}).errors["when"] == ["Enter the date of the meeting"]
    assert DateForm({"when": "31/2/2026"}).errors["when"] == [
        "The date of the meeting must be a real date, like 27/3/2026"
    ]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    form = DateForm(
        {"when": f"{tomorrow.day}/{tomorrow.month}/{tomorrow.year}", "later": "1/1/2100"}
    )
    assert form.errors["when"] == ["The date of the meeting must be today or in the past"]
    assert "later" not in form.errors


@given(st.text(max_size=40))
def test_anything_typed_is_a_date_or_a_clear_error(typed):
    field = GovUKDateField(label="When", what="the date")
    try:
        field.clean(typed)
    except forms.ValidationError as error:
        assert error.messages[0].startswith(("Enter the date", "The date must"))
