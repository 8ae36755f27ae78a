"""Making a referral, and a referrer's view of their own referrals: the reference,
when it arrived and its status in a few plain words, nothing of what happens inside
the case."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from tandem.audit.services import record_view
from tandem.core.permissions import permission_required

from ..extensions import referral_sections
from ..forms.referrals import ReferralForm
from ..models import Case
from ..permissions import cases, referrals
from ..selectors import referrals_made, referrer_history, referrer_status
from ..services.referrals import ReferralRefused, referral_submit

TEMPLATES = "cases/referrals"
PAGE_SIZE = 25


def _posted(request):
    """The posted data, even when empty (an empty POST is still a submission)."""
    return request.POST if request.method == "POST" else None


@require_http_methods(["GET", "POST"])
@permission_required("referral", "create")
def refer(request):
    initial = {}
    last = Case.objects.filter(referred_by=request.user).order_by("-received_at").first()
    if last is not None:  # a referrer usually refers from the same organisation
        initial = {
            "referral_source": last.referral_source_id,
            "referrer_organisation": last.referrer_organisation,
        }
    form = ReferralForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case = referral_submit(actor=request.user, data=form.referral_data(), request=request)
        except ReferralRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, f"Referral {case.reference} has been received.")
            if cases.has_object_permission(request.user, "view", case):
                return redirect("cases:detail", pk=case.pk)
            if referrals.has_object_permission(request.user, "view", case):
                return redirect("cases:referral_status", pk=case.pk)
            return redirect("site:home")
    return render(request, f"{TEMPLATES}/refer.html", {"form": form})


@require_GET
@permission_required("referral", "view")
def my_referrals(request):
    page = Paginator(referrals_made(actor=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = []
    for case in page.object_list:
        history = referrer_history(case, case.status_events)
        rows.append({"case": case, "status": history[-1]})
    return render(request, f"{TEMPLATES}/my_referrals.html", {"page": page, "rows": rows})


@require_GET
@permission_required("referral", "view")
def referral_status(request, pk: int):
    case = referrals.get_object_or_404(
        request.user,
        "view",
        queryset=Case.objects.only(
            "pk", "reference", "status", "status_changed_at", "received_at", "referred_by"
        ),
        pk=pk,
    )
    record_view(actor=request.user, obj=case, request=request, reason="referral status")
    history = referrer_history(case)
    return render(
        request,
        f"{TEMPLATES}/status.html",
        {
            "case": case,
            "current": history[-1],
            "history": list(reversed(history)),
            "label": referrer_status(case.status),
            "sections": referral_sections(case, request.user),
        },
    )


urlpatterns = [
    path("refer/", refer, name="refer"),
    path("referrals/", my_referrals, name="my_referrals"),
    path("referrals/<int:pk>/", referral_status, name="referral_status"),
]
