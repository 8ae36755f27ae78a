"""Lists people ask to download: the case list, the mentor pool and the month's claims,
as CSV or XLSX, with the same filters and the same scope as the page they come from.

Every download is audited: the fact of it, the list, the format, the filters used (by
name, never the words typed) and how many rows. A cell that a spreadsheet would read as
a formula (starting with = + - @, a tab or a line break) is written with an apostrophe
in front; numbers and dates are written as numbers and dates. The case list names no
one: references, statuses and coarse facts only.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Font

from tandem.audit.services import record_event
from tandem.cases import selectors as case_selectors
from tandem.cases.filters import CaseFilter
from tandem.core.permissions import permission_required
from tandem.meetings.forms.claims import parse_month
from tandem.meetings.models import ClaimStatus
from tandem.meetings.selectors import claims as claim_selectors
from tandem.mentors import selectors as mentor_selectors
from tandem.mentors.filters import PoolFilter
from tandem.mentors.matchability import Rules

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_ROWS = 100_000


def safe_cell(value):
    """``value`` as a cell: text that could start a formula gets an apostrophe; numbers,
    dates and empty cells pass as they are."""
    if value is None or isinstance(value, int | float | dt.date):
        return value
    if hasattr(value, "as_tuple"):  # Decimal
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def as_csv(headers: Sequence[str], rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if c is None else safe_cell(c) for c in row])
    # With a byte-order mark, spreadsheet programs read the file as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(title: str, headers: Sequence[str], rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        cells = []
        for value in row:
            value = safe_cell(value)
            if isinstance(value, dt.datetime):
                value = timezone.localtime(value).replace(tzinfo=None)
            cells.append(value)
        sheet.append(cells)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _format(request) -> str | None:
    chosen = request.GET.get("format", "csv")
    return chosen if chosen in FORMATS else None


def _respond(*, request, name: str, title: str, fmt: str, headers, rows, filters) -> HttpResponse:
    rows = list(rows)[:MAX_ROWS]
    used = ", ".join(sorted(filters)) or "none"
    record_event(
        actor=request.user,
        action="outcomes.export",
        object_type="",
        reason=f"{name} as {fmt}; filters: {used}; {len(rows)} rows",
        request=request,
    )
    body = as_csv(headers, rows) if fmt == "csv" else as_xlsx(title, headers, rows)
    response = HttpResponse(body, content_type=FORMATS[fmt])
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store, private"
    return response


# The case list -------------------------------------------------------------------------

CASE_HEADERS = [
    "Reference",
    "Status",
    "Pathway",
    "Concern type",
    "Urgency",
    "Area",
    "Age band",
    "Received",
    "Waiting",
    "Next review due",
]


@require_GET
@permission_required("case_list_export", "view")
def case_list_download(request):
    fmt = _format(request)
    now = timezone.now()
    filters = CaseFilter(
        request.GET, queryset=case_selectors.case_list(actor=request.user), now=now
    )
    if fmt is None or not filters.is_valid():
        messages.error(request, "Check the filters and choose CSV or Excel, then download again.")
        return redirect("cases:list")
    cases = filters.qs.select_related("concern_type", "area")
    rows = (
        [
            r.case.reference,
            r.case.get_status_display(),
            r.case.get_pathway_display(),
            r.case.concern_type.name,
            r.case.get_urgency_display(),
            r.case.area.name if r.case.area_id else "",
            r.age_band,
            timezone.localtime(r.case.received_at).date(),
            r.waiting,
            r.next_review_due,
        ]
        for r in case_selectors.rows(cases, now=now)
    )
    return _respond(
        request=request,
        name="cases",
        title="Cases",
        fmt=fmt,
        headers=CASE_HEADERS,
        rows=rows,
        filters=filters.used,
    )


# The mentor pool -----------------------------------------------------------------------

POOL_HEADERS = [
    "Mentor",
    "Status",
    "Areas",
    "Online",
    "Languages",
    "Specialisms",
    "Caseload cap",
    "Can take a case today",
    "Why not",
]


@require_GET
@permission_required("mentor_pool", "view")
def mentor_pool_download(request):
    fmt = _format(request)
    today = timezone.localdate()
    filters = PoolFilter(
        request.GET, queryset=mentor_selectors.pool_mentors(actor=request.user), today=today
    )
    if fmt is None or not filters.is_valid():
        messages.error(request, "Check the filters and choose CSV or Excel, then download again.")
        return redirect("mentors:pool")
    mentors = mentor_selectors.with_pool_rows(filters.qs)
    rows = []
    for row in mentor_selectors.pool_rows(mentors, Rules.load(today)):
        m = row.mentor
        rows.append(
            [
                m.full_name,
                m.get_status_display(),
                ", ".join(a.name for a in m.areas.all()),
                "Yes" if m.offers_online else "No",
                ", ".join(
                    f"{ml.language.name} ({ml.get_proficiency_display().lower()})"
                    for ml in m.languages.all()
                ),
                ", ".join(ms.specialism.name for ms in m.specialisms.all()),
                m.caseload_cap,
                "Yes" if row.matchable else "No",
                row.first_reason,
            ]
        )
    return _respond(
        request=request,
        name="mentor-pool",
        title="Mentor pool",
        fmt=fmt,
        headers=POOL_HEADERS,
        rows=rows,
        filters=filters.used,
    )


# The month's claims --------------------------------------------------------------------

CLAIM_HEADERS = [
    "Mentor",
    "Session date",
    "Case reference",
    "Status",
    "Submitted",
    "Session hours",
    "Travel hours",
    "Miles",
    "Expenses (£)",
    "Amount (£)",
]


@require_GET
@permission_required("claim_queue", "view")
def claims_download(request):
    fmt = _format(request)
    month = parse_month(request.GET.get("month"))
    status = request.GET.get("status", "")
    if status not in ClaimStatus.values or status == ClaimStatus.DRAFT:
        status = ""
    if fmt is None or month is None:
        messages.error(request, "Choose a month and CSV or Excel, then download again.")
        return redirect("meetings:claim_queue")
    claims, _ = claim_selectors.queue(request.user, month, status)
    rows = [
        [
            c.mentor.full_name,
            timezone.localtime(c.session.starts_at).date(),
            c.session.case.reference,
            c.get_status_display(),
            timezone.localtime(c.submitted_at).date() if c.submitted_at else None,
            c.session_hours,
            c.travel_hours,
            c.miles,
            c.expenses,
            c.amount.total,
        ]
        for c in claims
    ]
    return _respond(
        request=request,
        name=f"claims-{month:%Y-%m}",
        title="Claims",
        fmt=fmt,
        headers=CLAIM_HEADERS,
        rows=rows,
        filters=["month", *(["status"] if status else [])],
    )


urlpatterns = [
    path("downloads/cases/", case_list_download, name="case_list_download"),
    path("downloads/mentor-pool/", mentor_pool_download, name="mentor_pool_download"),
    path("downloads/claims/", claims_download, name="claims_download"),
]
