"""Money maths, receipt checking and the finance export."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from ..exports import HEADERS, as_csv, as_xlsx, safe_text
from ..models import ClaimStatus
from ..money import claim_amount, hours_from_minutes, pounds
from ..receipts import MAX_RECEIPT_BYTES, ReceiptRefused, check_receipt, sniff
from ..selectors.claims import amount_of
from .factories import JPEG, PDF, PNG, held_session, make_claim, upload

D = Decimal

# Money ---------------------------------------------------------------------------------


def test_hours_default_from_minutes_to_the_hundredth():
    assert hours_from_minutes(90) == D("1.50")
    assert hours_from_minutes(45) == D("0.75")
    assert hours_from_minutes(50) == D("0.83")  # 0.8333…
    assert hours_from_minutes(0) == D("0.00")


def test_pounds_round_half_up_to_the_penny():
    assert pounds(D("2.345")) == D("2.35")
    assert pounds(D("2.344")) == D("2.34")
    assert pounds(D("0.005")) == D("0.01")


def test_a_claim_amount_is_hours_at_the_rate_plus_miles_plus_expenses():
    amount = claim_amount(
        session_hours=D("1.50"),
        travel_hours=D("0.75"),
        miles=D("12.3"),
        expenses=D("4.50"),
        hourly_rate=D("18.00"),
        mileage_rate=D("0.45"),
    )
    assert amount.hours_pay == D("40.50")
    assert amount.mileage_pay == D("5.54")  # 5.535 rounds up
    assert amount.total == D("50.54")
    assert amount.total == amount.hours_pay + amount.mileage_pay + amount.expenses
    assert all(isinstance(v, Decimal) for v in (amount.hours_pay, amount.total))


def test_a_volunteer_at_zero_an_hour_is_paid_mileage_and_expenses_only():
    amount = claim_amount(
        session_hours=D("2"),
        travel_hours=D("1"),
        miles=D("10"),
        expenses=D("3.20"),
        hourly_rate=D("0"),
        mileage_rate=D("0.45"),
    )
    assert amount.total == D("7.70")


# Receipts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("a.pdf", PDF, "application/pdf"),
        ("a.PNG", PNG, "image/png"),
        ("a.jpeg", JPEG, "image/jpeg"),
        ("a.jpg", JPEG, "image/jpeg"),
    ],
)
def test_receipts_of_each_type_are_accepted_by_content(name, data, kind):
    checked = check_receipt(upload(name, data, "text/plain"))  # the browser's type is ignored
    assert checked.content_type == kind
    assert checked.size == len(data)


def test_a_png_renamed_pdf_is_refused_with_a_clear_message():
    with pytest.raises(ReceiptRefused) as refused:
        check_receipt(upload("taxi.pdf", PNG, "application/pdf"))
    assert str(refused.value) == (
        "“taxi.pdf” is named as a PDF but the file is a PNG image. Choose the right file, or "
        "rename it to match what it is."
    )


def test_a_file_of_another_type_is_refused_whatever_its_name():
    with pytest.raises(ReceiptRefused, match="is not a PDF, JPEG or PNG"):
        check_receipt(upload("receipt.pdf", b"<html><script>alert(1)</script>", "application/pdf"))
    with pytest.raises(ReceiptRefused, match="is empty"):
        check_receipt(upload("receipt.pdf", b""))


def test_five_megabytes_is_accepted_and_one_byte_more_refused():
    exact = PDF + b"0" * (MAX_RECEIPT_BYTES - len(PDF))
    assert check_receipt(upload("big.pdf", exact)).size == MAX_RECEIPT_BYTES
    with pytest.raises(ReceiptRefused, match="larger than 5 MB"):
        check_receipt(upload("big.pdf", exact + b"0"))


def test_a_file_name_loses_its_folders_and_quotes():
    checked = check_receipt(upload('..\\..\\evil"name.pdf', PDF))
    assert checked.filename == "evilname.pdf"


def test_sniffing_reads_only_the_content():
    assert sniff(PDF[:16]) == "pdf" and sniff(PNG[:16]) == "png" and sniff(JPEG[:16]) == "jpeg"
    assert sniff(b"GIF89a") is None


# Export --------------------------------------------------------------------------------


def test_text_that_a_spreadsheet_would_run_is_neutralised():
    for dangerous in ("=1+1", "+SUM(A1)", "-2", "@cmd", "\tx"):
        assert safe_text(dangerous).startswith("'")
    assert safe_text("T-2026-0001") == "T-2026-0001"


@pytest.mark.django_db
def test_the_export_parses_as_csv_and_xlsx_and_names_nobody_supported():
    session = held_session()
    session.mentor.full_name = '=HYPERLINK("http://evil")'
    session.mentor.save(update_fields=["full_name"])
    claim = make_claim(session, status=ClaimStatus.APPROVED, expenses=D("2.50"))
    claim.amount = amount_of(claim)
    case = session.case
    month = claim.month

    text = as_csv([claim]).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == HEADERS
    assert rows[1][0].startswith("'=")
    assert rows[1][2] == case.reference
    assert rows[1][3:] == ["1.50", "0.75", "10.0", "2.50", "18.00", "0.45", "47.50"]

    sheet = load_workbook(io.BytesIO(as_xlsx([claim], month))).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == HEADERS
    assert values[1][0].startswith("'=")
    assert values[1][2] == case.reference
    assert values[1][9] == pytest.approx(47.5)
    assert sheet.cell(row=2, column=1).data_type == "s"

    for content in (text, str(values)):
        assert case.first_name not in content and case.last_name not in content


amounts = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False)


@given(
    session_hours=amounts,
    travel_hours=amounts,
    miles=st.decimals(min_value=0, max_value=1000, places=1, allow_nan=False),
    expenses=amounts,
    hourly_rate=amounts,
    mileage_rate=st.decimals(min_value=0, max_value=10, places=2, allow_nan=False),
)
def test_amounts_are_whole_pence_and_add_up(**values):
    amount = claim_amount(**values)
    for part in (amount.hours_pay, amount.mileage_pay, amount.expenses, amount.total):
        assert part >= 0 and part == part.quantize(D("0.01"))
    assert amount.total == amount.hours_pay + amount.mileage_pay + amount.expenses
    exact = (
        (values["session_hours"] + values["travel_hours"]) * values["hourly_rate"]
        + values["miles"] * values["mileage_rate"]
        + values["expenses"]
    )
    assert abs(amount.total - exact) <= D("0.01")
