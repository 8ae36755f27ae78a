"""Payment claims: a mentor's claims by month and the sessions they can claim for, one
claim (with its receipts and the coordinator's decision), writing and changing a claim,
submitting a month, the coordinators' queue by month, the finance export, and the
rates per accreditation level.

Claims load through the claim policies only, so a mentor reaches their own and nobody
else's (404). Every change goes through ``tandem.meetings.services.claims``; a refusal
comes back on the same page with what was typed.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tandem.audit.services import record_view
from tandem.core.access import Scope
from tandem.core.filters import By, sort_list
from tandem.core.permissions import permission_required
from tandem.mentors.matchability import current_accreditation
from tandem.mentors.models import AccreditationLevel, Mentor

from .. import exports
from ..forms.claims import ClaimForm, DecisionForm, RatesForm, SubmitMonthForm, parse_month
from ..models import Claim, ClaimStatus, Receipt
from ..money import hours_from_minutes
from ..permissions import claim_queue as queue_policy
from ..permissions import claim_rates, claims, session_claims
from ..selectors import claims as selectors
from ..services import claims as services

TEMPLATES = "meetings/claims"


def _posted(request):
    return request.POST if request.method == "POST" else None


def _own_mentor(user) -> Mentor | None:
    return Mentor.objects.prefetch_related("accreditations__level").filter(user=user).first()


def _estimate_rates(mentor: Mentor | None):
    """Today's rates for the mentor's current level (an estimate for drafts)."""
    if mentor is None:
        return None
    accreditation = current_accreditation(mentor, timezone.localdate())
    rates = selectors.current_rates()
    if accreditation is None:
        return (0, 0)
    return rates.get(accreditation.level_id, (0, 0))


def _claim(request, action: str, pk: int) -> Claim:
    return claims.get_object_or_404(
        request.user, action, queryset=selectors.claim_queryset(), pk=pk
    )


# A mentor's claims ---------------------------------------------------------------------


@require_GET
@permission_required("claim", "view")
def my_claims(request):
    if (
        Scope.ALL in queue_policy.scopes(request.user, "view")
        and not Mentor.objects.filter(user=request.user).exists()
    ):
        return redirect("meetings:claim_queue")
    mentor = _own_mentor(request.user)
    months = selectors.own_claims_by_month(request.user, _estimate_rates(mentor))
    claimable = selectors.claimable_sessions(request.user)
    services.claim_list_audit(actor=request.user, request=request)
    return render(
        request,
        f"{TEMPLATES}/mine.html",
        {"months": months, "claimable": claimable, "has_mentor": mentor is not None},
    )


def _claim_initial(session) -> dict:
    return {
        "session_hours": hours_from_minutes(session.duration_minutes),
        "travel_hours": hours_from_minutes(session.travel_minutes),
        "miles": 0,
        "expenses": 0,
    }


@require_http_methods(["GET", "POST"])
@permission_required("session_claim", "create")
def claim_create(request, session_pk: int):
    session = session_claims.get_object_or_404(
        request.user,
        "create",
        queryset=session_claims.base_queryset().select_related("case", "place_type"),
        pk=session_pk,
    )
    existing = Claim.objects.filter(session=session).only("pk").first()
    if existing is not None and request.method == "GET":
        messages.info(request, "There is already a claim for this session. Here it is.")
        return redirect("meetings:claim_detail", pk=existing.pk)
    form = ClaimForm(_posted(request), request.FILES or None, initial=_claim_initial(session))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            claim = services.claim_create(
                actor=request.user,
                session=session,
                session_hours=data["session_hours"],
                travel_hours=data["travel_hours"],
                miles=data["miles"],
                expenses=data["expenses"],
                expenses_note=data["expenses_note"],
                receipts=data["receipts"],
                request=request,
            )
        except services.ClaimRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                f"Your claim is saved as a draft. Submit it with the rest of "
                f"{claim.month:%B %Y}'s claims from your claims page.",
            )
            return redirect("meetings:claim_detail", pk=claim.pk)
    return render(request, f"{TEMPLATES}/form.html", {"form": form, "session": session})


@require_http_methods(["GET", "POST"])
@permission_required("claim", "change")
def claim_edit(request, pk: int):
    claim = _claim(request, "change", pk)
    receipts = list(claim.receipts.all())
    if claim.status not in services.EDITABLE:
        messages.info(
            request,
            f"This claim is {claim.get_status_display().lower()}, so it cannot be changed.",
        )
        return redirect("meetings:claim_detail", pk=claim.pk)
    form = ClaimForm(
        _posted(request),
        request.FILES or None,
        existing_receipts=receipts,
        initial={
            "session_hours": claim.session_hours,
            "travel_hours": claim.travel_hours,
            "miles": claim.miles,
            "expenses": claim.expenses,
            "expenses_note": claim.expenses_note,
            "version": claim.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.claim_update(
                actor=request.user,
                claim=claim,
                expected_version=data["version"] if data["version"] is not None else -1,
                session_hours=data["session_hours"],
                travel_hours=data["travel_hours"],
                miles=data["miles"],
                expenses=data["expenses"],
                expenses_note=data["expenses_note"],
                receipts=data["receipts"],
                remove_receipts=data.get("remove_receipts") or [],
                request=request,
            )
        except services.ClaimRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "Your changes to the claim are saved.")
            return redirect("meetings:claim_detail", pk=claim.pk)
    return render(
        request,
        f"{TEMPLATES}/form.html",
        {"form": form, "session": claim.session, "claim": claim},
    )


@require_http_methods(["GET", "POST"])
@permission_required("claim", "view")
def claim_detail(request, pk: int):
    claim = _claim(request, "view", pk)
    user = request.user
    is_own = claim.mentor.user_id == user.pk
    can_decide = (
        claim.status == ClaimStatus.SUBMITTED
        and not is_own
        and claims.has_object_permission(user, "decide", claim)
    )
    form = None
    if can_decide:
        form = DecisionForm(_posted(request), initial={"version": claim.version})
        if request.method == "POST" and form.is_valid():
            try:
                decided = services.claim_decide(
                    actor=user,
                    claim=claim,
                    decision=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data["version"],
                    request=request,
                )
            except services.ClaimRefused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, f"The claim is {decided.get_status_display().lower()}.")
                return redirect(f"{reverse('meetings:claim_queue')}?month={claim.month:%Y-%m}")
    elif request.method == "POST":
        messages.info(request, "This claim is not waiting for a decision any more.")
        return redirect("meetings:claim_detail", pk=claim.pk)
    estimate = None
    if claim.submitted_at is None:
        mentor = Mentor.objects.prefetch_related("accreditations__level").get(pk=claim.mentor_id)
        estimate = _estimate_rates(mentor)
    amount = selectors.amount_of(claim, estimate)
    record_view(actor=user, obj=claim, request=request, reason="claim")
    return render(
        request,
        f"{TEMPLATES}/detail.html",
        {
            "claim": claim,
            "amount": amount,
            "is_estimate": claim.submitted_at is None,
            "receipts": list(claim.receipts.all()),
            "form": form,
            "is_own": is_own,
            "can_edit": is_own
            and claim.status in services.EDITABLE
            and claims.has_object_permission(user, "change", claim),
        },
    )


@require_GET
@permission_required("claim", "view")
def receipt_download(request, pk: int, receipt_pk: int):
    claim = _claim(request, "view", pk)
    try:
        receipt = Receipt.objects.select_related("claim__mentor").get(pk=receipt_pk, claim=claim)
    except (Receipt.DoesNotExist, ValueError, OverflowError):
        raise Http404 from None
    data = services.receipt_read(actor=request.user, receipt=receipt, request=request)
    response = HttpResponse(data, content_type=receipt.content_type)
    ascii_name = receipt.filename.encode("ascii", "replace").decode().replace("?", "_")
    response["Content-Disposition"] = f'attachment; filename="{ascii_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "POST"])
@permission_required("claim", "change")
def claims_submit(request):
    if request.method == "GET":
        return redirect("meetings:my_claims")
    form = SubmitMonthForm(request.POST)
    mentor = Mentor.objects.filter(user=request.user).first()
    if mentor is None or not form.is_valid():
        messages.error(request, "Choose a month of your claims to submit.")
        return redirect("meetings:my_claims")
    try:
        submitted = services.claims_submit(
            actor=request.user, mentor=mentor, month=form.cleaned_data["month"], request=request
        )
    except services.ClaimRefused as refused:
        messages.error(request, str(refused))
    else:
        count = len(submitted)
        messages.success(
            request,
            f"{count} claim{'s' if count != 1 else ''} for "
            f"{form.cleaned_data['month']:%B %Y} submitted. A coordinator will check "
            f"{'them' if count != 1 else 'it'}.",
        )
    return redirect("meetings:my_claims")


# Coordinators --------------------------------------------------------------------------


STATUS_RANK = {value: rank for rank, value in enumerate(ClaimStatus.values)}
# The queue's server-side orders (the first is the default: oldest submission first)
# and its columns. The month's claims are all on one page, so rows sort in Python.
QUEUE_ORDERS = {
    "submitted": By(),
    "session": By(lambda claim: (claim.session.starts_at, claim.pk)),
    "mentor": By(lambda claim: (claim.mentor.full_name.casefold(), claim.pk)),
    "status": By(lambda claim: (STATUS_RANK[claim.status], claim.pk)),
    "receipts": By(lambda claim: (claim.receipt_count, claim.pk), reverse=True),
    "amount": By(lambda claim: (claim.amount.total, claim.pk), reverse=True),
}
QUEUE_PAGE_SIZE = 100
QUEUE_COLUMNS = [
    ("Session", "session"),
    ("Mentor", "mentor"),
    ("Status", "status"),
    ("Receipts", "receipts", "numeric"),
    ("Amount", "amount", "numeric"),
]


@require_GET
@permission_required("claim_queue", "view")
def claim_queue(request):
    months = selectors.queue_months(request.user)
    month = parse_month(request.GET.get("month")) or (
        months[0] if months else timezone.localdate().replace(day=1)
    )
    status = request.GET.get("status", "")
    if status not in ClaimStatus.values or status == ClaimStatus.DRAFT:
        status = ""
    rows, counts = selectors.queue(request.user, month, status)
    ordered = sort_list(request, rows, orderings=QUEUE_ORDERS, columns=QUEUE_COLUMNS)
    # The whole month is sorted (and totalled) here; a page of it is rendered, since a
    # national scheme's month holds well over a thousand claims.
    page = Paginator(ordered.items, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    services.claim_list_audit(actor=request.user, month=month, status=status, request=request)
    return render(
        request,
        f"{TEMPLATES}/queue.html",
        {
            "month": month,
            "months": sorted({month, *months}, reverse=True),
            "status": status,
            "statuses": [(s, label) for s, label in ClaimStatus.choices if s != ClaimStatus.DRAFT],
            "rows": page.object_list,
            "page": page,
            "headers": ordered.headers,
            "counts": counts,
            "approved": counts.get(ClaimStatus.APPROVED, 0),
            "total": sum((c.amount.total for c in rows), 0),
        },
    )


@require_GET
@permission_required("claim_queue", "view")
def claim_export(request):
    month = parse_month(request.GET.get("month"))
    file_format = request.GET.get("format", "csv")
    if month is None or file_format not in ("csv", "xlsx"):
        messages.error(request, "Choose a month and a format (CSV or Excel) to export.")
        return redirect("meetings:claim_queue")
    rows = selectors.approved_for_export(request.user, month)
    services.claims_export_record(
        actor=request.user, month=month, file_format=file_format, count=len(rows), request=request
    )
    if file_format == "csv":
        body, content_type = exports.as_csv(rows), "text/csv; charset=utf-8"
    else:
        body = exports.as_xlsx(rows, month)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{exports.filename(month, file_format)}"'
    )
    return response


@require_GET
@permission_required("claim_rate", "view")
def rates(request):
    levels = list(AccreditationLevel.objects.order_by("rank"))
    current = selectors.current_rates()
    return render(
        request,
        f"{TEMPLATES}/rates.html",
        {
            "rows": [(level, *current.get(level.pk, (0, 0))) for level in levels],
            "can_change": claim_rates.has_permission(request.user, "change"),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("claim_rate", "change")
def rates_edit(request):
    levels = list(AccreditationLevel.objects.order_by("rank"))
    form = RatesForm(_posted(request), levels=levels, rates=selectors.current_rates())
    if request.method == "POST" and form.is_valid():
        changed = services.claim_rates_update(
            actor=request.user, rates=form.cleaned_rates(), request=request
        )
        if changed:
            messages.success(
                request,
                "The rates are saved. Claims submitted from now on use them; claims "
                "already submitted keep the rates they were submitted with.",
            )
        else:
            messages.info(request, "Nothing was changed in the rates.")
        return redirect("meetings:claim_rates")
    return render(request, f"{TEMPLATES}/rates_edit.html", {"form": form})


urlpatterns = [
    path("claims/", my_claims, name="my_claims"),
    path("claims/submit/", claims_submit, name="claims_submit"),
    path("claims/queue/", claim_queue, name="claim_queue"),
    path("claims/export/", claim_export, name="claim_export"),
    path("claims/rates/", rates, name="claim_rates"),
    path("claims/rates/edit/", rates_edit, name="claim_rates_edit"),
    path("claims/sessions/<int:session_pk>/", claim_create, name="claim_create"),
    path("claims/<int:pk>/", claim_detail, name="claim_detail"),
    path("claims/<int:pk>/edit/", claim_edit, name="claim_edit"),
    path("claims/<int:pk>/receipts/<int:receipt_pk>/", receipt_download, name="receipt_download"),
]
