"""The month's approved claims for finance, as CSV and as XLSX (openpyxl).

One row per claim: the mentor (who is paid), the session's date, the case's
pseudonymous reference — never the name of the person supported — hours, travel,
miles, expenses, the rates the claim was submitted with and the amount. Text cells
that a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage
return) are prefixed with an apostrophe; numbers are written as numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from .models import Claim

HEADERS = [
    "Mentor",
    "Session date",
    "Case reference",
    "Session hours",
    "Travel hours",
    "Miles",
    "Expenses (£)",
    "Hourly rate (£)",
    "Mileage rate (£ per mile)",
    "Amount (£)",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_text(value: str) -> str:
    value = str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def rows(claims: list[Claim]) -> list[list]:
    result = []
    for claim in claims:
        result.append(
            [
                safe_text(claim.mentor.full_name),
                timezone.localtime(claim.session.starts_at).date(),
                safe_text(claim.session.case.reference),
                claim.session_hours,
                claim.travel_hours,
                claim.miles,
                claim.expenses,
                claim.hourly_rate,
                claim.mileage_rate,
                claim.amount.total,
            ]
        )
    return result


def filename(month: dt.date, extension: str) -> str:
    return f"approved-claims-{month:%Y-%m}.{extension}"


def as_csv(claims: list[Claim]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in rows(claims):
        writer.writerow(
            [value.isoformat() if isinstance(value, dt.date) else value for value in row]
        )
    # A byte-order mark so that spreadsheet programs read the £ sign correctly.
    return buffer.getvalue().encode("utf-8-sig")


def as_xlsx(claims: list[Claim], month: dt.date) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Claims {month:%Y-%m}"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows(claims):
        sheet.append(row)
        index = sheet.max_row
        sheet.cell(row=index, column=2).number_format = "yyyy-mm-dd"
        for column in (4, 5, 6, 7, 8, 9, 10):
            cell = sheet.cell(row=index, column=column)
            cell.number_format = "0.0" if column == 6 else "0.00"
        # Text cells stay text: never read as a formula.
        for column in (1, 3):
            sheet.cell(row=index, column=column).data_type = "s"
    for letter, width in zip("ABCDEFGHIJ", (28, 14, 16, 14, 13, 8, 13, 16, 24, 12), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
