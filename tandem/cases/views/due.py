"""The coordinators' lists of reviews and follow-ups that are due, within the user's list
scope."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from tandem.core.permissions import permission_required
from tandem.core.text import counted

from .. import selectors
from .plans import TEMPLATES

PAGE_SIZE = 25


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
    page = Paginator(selectors.reviews_due(actor=request.user, today=today), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = []
    for case in page.object_list:
        rows.append({"case": case, "tag": _due_tag(case.next_review_due, today)})
    return render(
        request,
        f"{TEMPLATES}/reviews_due.html",
        {"page": page, "rows": rows, "window": selectors.DUE_SOON_DAYS},
    )


@require_GET
@permission_required("case_list", "view")
def follow_ups_due(request):
    today = timezone.localdate()
    page = Paginator(selectors.follow_ups_due(actor=request.user, today=today), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = []
    for follow_up in page.object_list:
        rows.append({"follow_up": follow_up, "tag": _due_tag(follow_up.due_on, today)})
    return render(
        request,
        f"{TEMPLATES}/follow_ups_due.html",
        {"page": page, "rows": rows, "window": selectors.DUE_SOON_DAYS},
    )


urlpatterns = [
    path("reviews-due/", reviews_due, name="reviews_due"),
    path("follow-ups-due/", follow_ups_due, name="follow_ups_due"),
]
