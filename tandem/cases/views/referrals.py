"""Making a referral, and a referrer's view of their own referrals: the reference,
when it arrived and its status in a few plain words, nothing of what happens inside
the case."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from tandem.audit.services import record_view
from tandem.core.filters import sort_list
from tandem.core.forms import answer_rows
from tandem.core.permissions import permission_required
from tandem.core.session_drafts import discard_draft, open_draft, seal_draft

from ..extensions import referral_sections
from ..forms.referrals import ReferralForm
from ..models import Case
from ..permissions import cases, referrals
from ..selectors import referrals_made, referrer_history, referrer_status
from ..services.referrals import ReferralRefused, referral_submit

TEMPLATES = "cases/referrals"
PAGE_SIZE = 25
# The referral's answers between the form and "check your answers", sealed in the session.
DRAFT = "referral"


def _initial(request) -> dict:
    last = Case.objects.filter(referred_by=request.user).order_by("-received_at").first()
    if last is None:
        return {}
    # A referrer usually refers from the same organisation.
    return {
        "referral_source": last.referral_source_id,
        "referrer_organisation": last.referrer_organisation,
    }


def _answers(posted) -> dict[str, list[str]]:
    """What the form's page sent, as the session keeps it (no CSRF token)."""
    return {key: posted.getlist(key) for key in posted if key != "csrfmiddlewaretoken"}


def _as_data(answers: dict) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, values in answers.items():
        if isinstance(values, list):
            data.setlist(str(key), [str(v) for v in values])
    return data


@require_http_methods(["GET", "POST"])
@permission_required("referral", "create")
def refer(request):
    """The referral's questions. Answered, they go to "check your answers" (kept
    sealed in the session, nothing saved yet); "Change" there comes back here with
    everything as it was typed."""
    if request.method == "POST":
        form = ReferralForm(request.POST, initial=_initial(request))
        if form.is_valid():
            seal_draft(request, DRAFT, _answers(request.POST))
            return redirect("cases:refer_check")
    else:
        kept = open_draft(request, DRAFT) if "change" in request.GET else None
        if kept is not None:
            form = ReferralForm(_as_data(kept), initial=_initial(request))
        else:
            form = ReferralForm(initial=_initial(request))
    return render(request, f"{TEMPLATES}/refer.html", {"form": form})


@require_http_methods(["GET", "POST"])
@permission_required("referral", "create")
def refer_check(request):
    """Check your answers, then send the referral: the only step that saves."""
    kept = open_draft(request, DRAFT)
    if kept is None:
        messages.info(request, "Fill in the referral first.")
        return redirect("cases:refer")
    form = ReferralForm(_as_data(kept), initial=_initial(request))
    change_url = f"{reverse('cases:refer')}?change=1"
    if not form.is_valid():
        # Something it offered has changed meanwhile (a retired list entry, a birthday):
        # back to the questions, with the answers as typed and the errors.
        return render(request, f"{TEMPLATES}/refer.html", {"form": form})
    if request.method == "POST":
        try:
            case = referral_submit(actor=request.user, data=form.referral_data(), request=request)
        except ReferralRefused as refusal:
            form.add_error(None, str(refusal))
            return render(request, f"{TEMPLATES}/refer.html", {"form": form})
        discard_draft(request, DRAFT)
        messages.success(request, f"Referral {case.reference} has been received.")
        if cases.has_object_permission(request.user, "view", case):
            return redirect("cases:detail", pk=case.pk)
        if referrals.has_object_permission(request.user, "view", case):
            return redirect("cases:referral_status", pk=case.pk)
        return redirect("site:home")
    return render(
        request,
        f"{TEMPLATES}/check.html",
        {"form": form, "rows": answer_rows(form, change_url=change_url), "change_url": change_url},
    )


# A referrer's list sorts on the server by what the referrer made and sees: when the
# referral was received and its concern type. The status a referrer sees is coarser
# than the case's, so it sorts only in the browser, by the words shown.
REFERRAL_ORDERS = {
    "received_desc": ("-received_at", "-pk"),
    "received_asc": ("received_at", "pk"),
    "concern": ("concern_type__position", "concern_type__name", "-received_at", "-pk"),
}
REFERRAL_COLUMNS = [
    ("Reference", None),
    ("Received", ("received_asc", "received_desc")),
    ("Concern type", "concern"),
    ("Status", None),
    ("Since", None),
]


@require_GET
@permission_required("referral", "view")
def my_referrals(request):
    cases = sort_list(
        request,
        referrals_made(actor=request.user),
        orderings=REFERRAL_ORDERS,
        columns=REFERRAL_COLUMNS,
    )
    page = Paginator(cases.items, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for case in page.object_list:
        history = referrer_history(case, case.status_events)
        rows.append({"case": case, "status": history[-1]})
    return render(
        request,
        f"{TEMPLATES}/my_referrals.html",
        {"page": page, "rows": rows, "headers": cases.headers},
    )


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
    path("refer/check/", refer_check, name="refer_check"),
    path("referrals/", my_referrals, name="my_referrals"),
    path("referrals/<int:pk>/", referral_status, name="referral_status"),
]
