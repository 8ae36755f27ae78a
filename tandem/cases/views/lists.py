"""Lists of cases: the filtered case list and the waiting-for-match list.

Read-only; references and coarse facts only (never a name or a date of birth); each
page costs a fixed number of queries. Coordinators see every case, mentors only the
people they are matched with.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from tandem.core.filters import sort_headers, sort_list
from tandem.core.links import section_links
from tandem.core.permissions import permission_required

from .. import selectors
from ..filters import CaseFilter
from ..services.lists import case_list_audit

# The columns of the case list, and the server-side order each header link gives.
COLUMNS = [
    ("Reference", ("received_asc", "received_desc")),
    ("Status", "status"),
    ("Concern type", None),
    ("Urgency", "urgency"),
    ("Area", None),
    ("Age", None),
    ("Waiting", "waiting"),
    ("Next review due", None),
]

# The waiting list's server-side orders (the first is the default) and its columns.
AWAITING_ORDERS = {
    "urgency": ("urgency_rank", "status_changed_at", "pk"),
    "waiting": ("status_changed_at", "pk"),
    "reference": ("reference", "pk"),
}
AWAITING_COLUMNS = [
    ("Reference", "reference"),
    ("Urgency", "urgency"),
    ("Waiting", "waiting"),
    ("Concern type", None),
    ("Area", None),
    ("Age", None),
    ("Languages", None),
    ("Mentor gender", None),
    ("Online", None),
]

SECTIONS = [
    ("All cases", "cases:list"),
    ("Waiting for a match", "cases:awaiting_match"),
]


@require_GET
@permission_required("case_list", "view")
def case_list(request):
    now = timezone.now()
    filters = CaseFilter(request.GET, queryset=selectors.case_list(actor=request.user), now=now)
    page = Paginator(filters.qs, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.rows(page.object_list, now=now)
    every_case = selectors.reaches_every_case(request.user)
    # A mentor with nobody matched sees an honest empty state, not an empty filter form.
    unmatched = not every_case and not rows and not selectors.visible_cases(request.user).exists()
    case_list_audit(actor=request.user, filters=filters.used, request=request)
    return render(
        request,
        "cases/lists/list.html",
        {
            "form": filters.form,
            "page": page,
            "rows": rows,
            "filtered": bool(filters.form.active_filters),
            "every_case": every_case,
            "unmatched": unmatched,
            "sections": section_links(request, SECTIONS) if every_case else [],
            "headers": sort_headers(
                request,
                current=filters.form.cleaned_data.get("sort") or "received_desc",
                columns=COLUMNS,
            ),
        },
    )


@require_GET
@permission_required("case_list", "view")
def awaiting_match(request):
    now = timezone.now()
    cases = sort_list(
        request,
        selectors.awaiting_match(actor=request.user),
        orderings=AWAITING_ORDERS,
        columns=AWAITING_COLUMNS,
    )
    page = Paginator(cases.items, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    every_case = selectors.reaches_every_case(request.user)
    case_list_audit(actor=request.user, filters=["status"], request=request)
    return render(
        request,
        "cases/lists/awaiting_match.html",
        {
            "page": page,
            "rows": selectors.rows(page.object_list, now=now),
            "every_case": every_case,
            "sections": section_links(request, SECTIONS) if every_case else [],
            "headers": cases.headers,
        },
    )


urlpatterns = [
    path("", case_list, name="list"),
    path("awaiting-match/", awaiting_match, name="awaiting_match"),
]
