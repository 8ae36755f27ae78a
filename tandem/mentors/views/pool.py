"""The coordinator's views of the pool as a whole: the filtered list, what is expiring,
and the pool's composition. Read-only; each costs a fixed number of queries."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from tandem.core.filters import sort_headers
from tandem.core.links import section_links
from tandem.core.permissions import permission_required

from .. import selectors
from ..filters import PoolFilter
from ..matchability import Rules

EXPIRIES_PAGE_SIZE = 50
SECTIONS = [
    ("Pool", "mentors:pool"),
    ("Pipeline", "mentors:pipeline"),
    ("Expiries", "mentors:expiries"),
    ("Composition", "mentors:composition"),
]


# The pool's columns, and the server-side order each header link gives.
POOL_COLUMNS = [
    ("Mentor and status", "name"),
    ("Areas, languages and specialisms", None),
    ("Can take a case today", None),
]


@require_GET
@permission_required("mentor_pool", "view")
def pool(request):
    today = timezone.localdate()
    filters = PoolFilter(
        request.GET, queryset=selectors.pool_mentors(actor=request.user), today=today
    )
    page = Paginator(selectors.with_pool_rows(filters.qs), selectors.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # The rules (required check types, current code of conduct) are read once per request.
    rows = selectors.pool_rows(page.object_list, Rules.load(today))
    return render(
        request,
        "mentors/pool/list.html",
        {
            "form": filters.form,
            "page": page,
            "rows": rows,
            "filtered": bool(filters.form.active_filters),
            "sections": section_links(request, SECTIONS),
            "headers": sort_headers(
                request,
                current=filters.form.cleaned_data.get("sort") or "name",
                columns=POOL_COLUMNS,
            ),
        },
    )


@require_GET
@permission_required("mentor_pool", "view")
def expiries(request):
    rows = selectors.expiry_rows(actor=request.user)
    page = Paginator(rows, EXPIRIES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "mentors/pool/expiries.html",
        {
            "page": page,
            "rows": page.object_list,
            "expired": sum(row.state == "expired" for row in rows),
            "soon": sum(row.state == "soon" for row in rows),
            "later": sum(row.state == "later" for row in rows),
            "window": selectors.EXPIRY_WINDOW_DAYS,
            "sections": section_links(request, SECTIONS),
        },
    )


@require_GET
@permission_required("mentor_pool", "view")
def composition(request):
    return render(
        request,
        "mentors/pool/composition.html",
        {**selectors.composition(actor=request.user), "sections": section_links(request, SECTIONS)},
    )


urlpatterns = [
    path("", pool, name="pool"),
    path("expiries/", expiries, name="expiries"),
    path("composition/", composition, name="composition"),
]
