"""The coordinators' lists of reviews and follow-ups that are due, within the user's list
scope."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from tandem.core.filters import sort_list
from tandem.core.permissions import permission_required
from tandem.core.text import counted

from .. import selectors
from .plans import TEMPLATES

PAGE_SIZE = 25

# Each list's server-side orders (the first is the default: soonest first) and columns.
REVIEW_ORDERS = {
    "due": ("next_review_due", "reference"),
    "due_desc": ("-next_review_due", "reference"),
    "reference": ("reference",),
    "status": ("status_rank", "next_review_due", "reference"),
    "last_review": ("last_reviewed_on", "next_review_due", "reference"),
}
REVIEW_COLUMNS = [
    ("Case", "reference"),
    ("Status", "status"),
    ("Next review due", ("due", "due_desc")),
    ("Last review", "last_review"),
]
FOLLOW_UP_ORDERS = {
    "due": ("due_on", "case__reference", "kind"),
    "due_desc": ("-due_on", "case__reference", "kind"),
    "reference": ("case__reference", "kind"),
    "kind": ("kind", "due_on", "case__reference"),
}
FOLLOW_UP_COLUMNS = [
    ("Case", "reference"),
    ("Follow-up", "kind"),
    ("Due", ("due", "due_desc")),
]


def _due_tag(due_on, today) -> tuple[str, str]:
    """The text and colour of a due date's tag: overdue red, today orange, soon yellow."""
    days = (due_on - today).days
    if days < 0:
        return (counted(-days, "Overdue by %(count)d day", "Overdue by %(count)d days"), "red")
    if days == 0:
        return ("Due today", "orange")
    return (counted(days, "Due in %(count)d day", "Due in %(count)d days"), "yellow")


@require_GET
@permission_required("case_list", "view")
def reviews_due(request):
    today = timezone.localdate()
    cases = sort_list(
        request,
        selectors.reviews_due(actor=request.user, today=today),
        orderings=REVIEW_ORDERS,
        columns=REVIEW_COLUMNS,
    )
    page = Paginator(cases.items, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for case in page.object_list:
        rows.append({"case": case, "tag": _due_tag(case.next_review_due, today)})
    return render(
        request,
        f"{TEMPLATES}/reviews_due.html",
        {
            "page": page,
            "rows": rows,
            "window": selectors.DUE_SOON_DAYS,
            "headers": cases.headers,
        },
    )


@require_GET
@permission_required("case_list", "view")
def follow_ups_due(request):
    today = timezone.localdate()
    follow_ups = sort_list(
        request,
        selectors.follow_ups_due(actor=request.user, today=today),
        orderings=FOLLOW_UP_ORDERS,
        columns=FOLLOW_UP_COLUMNS,
    )
    page = Paginator(follow_ups.items, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for follow_up in page.object_list:
        rows.append({"follow_up": follow_up, "tag": _due_tag(follow_up.due_on, today)})
    return render(
        request,
        f"{TEMPLATES}/follow_ups_due.html",
        {
            "page": page,
            "rows": rows,
            "window": selectors.DUE_SOON_DAYS,
            "headers": follow_ups.headers,
        },
    )


urlpatterns = [
    path("reviews-due/", reviews_due, name="reviews_due"),
    path("follow-ups-due/", follow_ups_due, name="follow_ups_due"),
]
