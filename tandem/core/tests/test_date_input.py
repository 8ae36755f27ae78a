"""The GOV.UK date input: three boxes, the GOV.UK error messages, only the boxes an
error is about styled as in error, and the error summary linking to the first of them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tandem.core.forms import GovUKDateInputField, GovUKForm
from tandem.core.templatetags.govuk import first_error_anchor


class BirthForm(GovUKForm):
    born = GovUKDateInputField(label="Date of birth", what="your date of birth")


class OptionalForm(GovUKForm):
    born = GovUKDateInputField(label="Date of birth", what="your date of birth", required=False)


def posted(day="", month="", year=""):
    return {"born_0": day, "born_1": month, "born_2": year}


@pytest.mark.parametrize(
    ("data", "message", "parts"),
    [
        (posted(), "Enter your date of birth", ("day", "month", "year")),
        (posted("", "3", "2009"), "Date of birth must include a day", ("day",)),
        (posted("27", "", ""), "Date of birth must include a month and year", ("month", "year")),
        (posted("31", "2", "2009"), "Date of birth must be a real date", ("day", "month", "year")),
        (posted("27", "March", "2009"), "Date of birth must be a real date", ("month",)),
        (posted("27", "3", "09"), "Year must include 4 numbers", ("year",)),
        (posted("27", "3", "99999999999"), "Year must include 4 numbers", ("year",)),
    ],
)
def test_gov_uk_messages_and_the_boxes_in_error(data, message, parts):
    form = BirthForm(data)
    assert not form.is_valid()
    assert form.errors["born"] == [message]
    assert form.fields["born"].widget.error_parts == parts
    html = str(form["born"])
    for index, part in enumerate(("day", "month", "year")):
        box = html.split(f'id="id_born_{index}"', 1)[1].split(">", 1)[0]
        assert ("govuk-input--error" in box) == (part in parts)
    first = ("day", "month", "year").index(parts[0])
    assert first_error_anchor(form["born"]) == f"id_born_{first}"


def test_a_future_date_is_refused():
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    form = BirthForm(posted(str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)))
    assert form.errors["born"] == ["Date of birth must be in the past"]


def test_a_real_date_is_a_date_and_the_boxes_show_what_was_typed():
    form = BirthForm(posted(" 7 ", "03", "2009"))
    assert form.is_valid()
    assert form.cleaned_data["born"] == dt.date(2009, 3, 7)
    html = form.as_div()
    assert 'class="govuk-date-input"' in html
    assert 'role="group"' in html
    assert '<label class="govuk-label govuk-date-input__label" for="id_born_0">Day</label>' in html
    assert 'inputmode="numeric"' in html


def test_optional_and_empty_is_none_and_a_date_in_one_piece_is_understood():
    assert OptionalForm(posted()).is_valid()
    form = OptionalForm({"born": "27/3/2009"})
    assert form.is_valid() and form.cleaned_data["born"] == dt.date(2009, 3, 27)
    form = OptionalForm({"born": "2009-03-27"})
    assert form.is_valid() and form.cleaned_data["born"] == dt.date(2009, 3, 27)


def test_initial_date_fills_the_boxes():
    html = str(BirthForm(initial={"born": dt.date(2009, 3, 7)})["born"])
    assert 'value="7"' in html and 'value="3"' in html and 'value="2009"' in html
