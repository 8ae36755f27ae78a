"""Finding a person by name, or by name and date of birth (coordinators).

The search is sent by POST, from the header's box or this page's form, so that the name
and date of birth never appear in a web address, the browser's history or a server's
access log. The audit log records that a search was made and by which fields, never
what was typed. Results show references and coarse facts, as the lists do.
"""

from __future__ import annotations

from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from tandem.core.permissions import permission_required

from .. import selectors
from ..forms.search import PersonSearchForm
from ..search import RESULT_LIMIT, find_people
from ..services.lists import person_search_audit


@require_http_methods(["GET", "POST"])
@permission_required("person_search", "view")
def person_search(request):
    form = PersonSearchForm(request.POST if request.method == "POST" else None)
    rows = None
    more = False
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        found = list(
            find_people(actor=request.user, name=data["name"], date_of_birth=data["date_of_birth"])[
                : RESULT_LIMIT + 1
            ]
        )
        more = len(found) > RESULT_LIMIT
        rows = selectors.rows(found[:RESULT_LIMIT], now=timezone.now())
        person_search_audit(actor=request.user, searched_by=form.used, request=request)
    return render(
        request,
        "cases/lists/search.html",
        {"form": form, "rows": rows, "more": more, "limit": RESULT_LIMIT},
    )


urlpatterns = [
    path("search/", person_search, name="search"),
]
