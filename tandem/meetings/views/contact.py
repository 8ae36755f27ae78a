"""Contact monitoring for coordinators: the "Contact overdue" list and the check-in
recorded from it."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from tandem.audit.services import record_view
from tandem.core.filters import sort_list
from tandem.core.permissions import permission_required

from ..forms.monitoring import CheckInForm
from ..permissions import contact
from ..selectors.monitoring import contact_of_case, recent_check_ins
from ..selectors.monitoring import contact_overdue as overdue_for
from ..services import contact as services

PAGE_SIZE = 25
# The list's server-side orders (the first is the default: longest without contact
# first) and its columns. Mentors' names are encrypted: that column sorts in the browser.
OVERDUE_ORDERS = {
    "contact": ("contact_from", "pk"),
    "contact_desc": ("-contact_from", "pk"),
    "reference": ("case__reference", "pk"),
    "check_in": ("-check_in_at", "contact_from", "pk"),
}
OVERDUE_COLUMNS = [
    ("Case", "reference"),
    ("Mentor", None),
    ("Days since contact", ("contact", "contact_desc"), "numeric"),
    ("Expected", None),
    ("Why", None),
    ("Latest check-in", "check_in"),
]


@require_GET
@permission_required("contact_monitoring", "view")
def contact_overdue(request):
    queryset, to_row = overdue_for(request.user)
    ordered = sort_list(request, queryset, orderings=OVERDUE_ORDERS, columns=OVERDUE_COLUMNS)
    page = Paginator(ordered.items, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [to_row(match) for match in page.object_list]
    services.contact_list_audit(actor=request.user, request=request)
    return render(
        request,
        "meetings/contact/overdue.html",
        {"page": page, "rows": rows, "headers": ordered.headers},
    )


@require_http_methods(["GET", "POST"])
@permission_required("contact_monitoring", "change")
def contact_check_in(request, pk: int):
    case = contact.get_object_or_404(request.user, "change", pk=pk)
    form = CheckInForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.coordinator_check_in_record(
                actor=request.user,
                case=case,
                contacted=form.cleaned_data["contacted"],
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except services.ContactRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, f"Your check-in on {case.reference} is recorded.")
            return redirect("meetings:contact_overdue")
    recent = recent_check_ins(case)
    if recent:
        record_view(actor=request.user, obj=case, request=request, reason="contact check-ins")
    return render(
        request,
        "meetings/contact/check_in.html",
        {"case": case, "form": form, "contact": contact_of_case(case), "recent": recent},
    )


urlpatterns = [
    path("contact/overdue/", contact_overdue, name="contact_overdue"),
    path("contact/<int:pk>/check-in/", contact_check_in, name="contact_check_in"),
]
