"""Batch proposals: the optimal assignment for every case waiting for a match, which a
coordinator reviews, changes pair by pair (seeing the effect on the total) and then
confirms or discards. Nothing is proposed to a mentor until the batch is confirmed.

Batches are loaded only through the batches policy (404 for what the user may not
reach). Every change goes through ``tandem.matching.services``; its refusals are
safe to show and come back as form errors or messages.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.audit.services import record_view
from tandem.cases.models import URGENCY_RANK, Case, CaseStatus
from tandem.core.links import url_if_installed
from tandem.core.permissions import permission_required
from tandem.core.text import counted
from tandem.mentors.models import Mentor

from .. import selectors, services
from ..forms.batches import ChangePairForm
from ..models import LIVE, BatchProposal, BatchStatus, Match
from ..permissions import batches
from .cases import held_back_context

TEMPLATES = "matching/batches"
PAGE_SIZE = 20


# Helpers -------------------------------------------------------------------------------


def _batch(request, pk: int, action: str, queryset=None) -> BatchProposal:
    return batches.get_object_or_404(request.user, action, queryset=queryset, pk=pk)


def number(value: int) -> str:
    return f"{value:,}"


def delta_text(delta: int) -> str:
    """A change to the batch total: "+12", "\u221230" (with a true minus sign) or "no change"."""
    if delta > 0:
        return f"+{delta:,}"
    if delta < 0:
        return f"\u2212{-delta:,}"
    return "no change"


def _places_text(places: int) -> str:
    if places <= 0:
        return "no place left in this batch"
    return counted(
        places, "%(count)d place left in this batch", "%(count)d places left in this batch"
    )


def _pair_order(pair):
    case = pair.case
    return (URGENCY_RANK.get(case.urgency, len(URGENCY_RANK)), case.status_changed_at, case.pk)


def _total(batch: BatchProposal) -> int:
    return batch.pairs.aggregate(total=Coalesce(Sum("score"), 0))["total"]


def _back_to(batch: BatchProposal):
    return redirect("matching:batch_detail", pk=batch.pk)


def _refused(request, batch: BatchProposal, error: services.MatchRefused):
    messages.error(request, str(error))
    return _back_to(batch)


# The list ------------------------------------------------------------------------------


@permission_required("matching_batch", "view")
@require_GET
def batch_list(request):
    waiting = selectors.waiting_cases().count()
    proposals = batches.queryset(
        request.user,
        "view",
        BatchProposal.objects.select_related("created_by", "decided_by")
        .annotate(
            n_pairs=Count("pairs"),
            total=Coalesce(Sum("pairs__score"), Value(0), output_field=IntegerField()),
        )
        .order_by("-created_at", "-pk"),
    )
    page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        f"{TEMPLATES}/list.html",
        {
            "waiting": waiting,
            "page": page,
            "proposals": page.object_list,
            "can_change": batches.has_permission(request.user, "change"),
        },
    )


@permission_required("matching_batch", "change")
@require_POST
def batch_create(request):
    if not selectors.waiting_cases().exists():
        messages.info(request, "No case is waiting for a match, so there is nothing to propose.")
        return redirect("matching:batch_list")
    batch = services.batch_create(actor=request.user, request=request)
    messages.success(
        request,
        f"Matches proposed for review: {batch.optimal_matched} of "
        + counted(batch.cases_waiting, "%(count)d waiting case", "%(count)d waiting cases")
        + f", total fit {number(batch.optimal_score)}. Nothing is proposed to a mentor until "
        "you confirm.",
    )
    return _back_to(batch)


# The review ----------------------------------------------------------------------------


@permission_required("matching_batch", "view")
@require_GET
def batch_detail(request, pk: int):
    batch = _batch(
        request, pk, "view", BatchProposal.objects.select_related("created_by", "decided_by")
    )
    pairs = sorted(
        batch.pairs.select_related("case", "mentor").annotate(
            case_has_live_match=Exists(Match.objects.filter(case=OuterRef("case"), status__in=LIVE))
        ),
        key=_pair_order,
    )
    total = sum(pair.score for pair in pairs)
    draft = batch.status == BatchStatus.DRAFT
    proposed = {}
    if batch.status == BatchStatus.CONFIRMED:
        proposed = {match.case_id: match for match in Match.objects.filter(batch=batch)}
    rows = []
    for pair in pairs:
        match = proposed.get(pair.case_id)
        rows.append(
            {
                "pair": pair,
                "case": pair.case,
                "mentor": pair.mentor,
                "match": match,
                "match_url": url_if_installed("matching:match_detail", pk=match.pk)
                if match
                else "",
                # Matched elsewhere or moved on since the batch was proposed.
                "no_longer_waiting": draft
                and (pair.case.status != CaseStatus.AWAITING_MATCH or pair.case_has_live_match),
            }
        )
    unplaced = []
    if draft:
        unplaced = [
            {
                "case": case,
                "late": case.status_changed_at > batch.created_at,
                "suggestions_url": url_if_installed("matching:suggestions", pk=case.pk),
            }
            for case in selectors.unmatched_cases().exclude(pk__in=batch.pairs.values("case_id"))
        ]
    return render(
        request,
        f"{TEMPLATES}/detail.html",
        {
            "batch": batch,
            "draft": draft,
            "rows": rows,
            "matched": len(rows),
            "total": number(total),
            "optimal": number(batch.optimal_score),
            "difference": total - batch.optimal_score,
            "difference_text": delta_text(total - batch.optimal_score),
            "proposed_count": len(proposed),
            "refused_count": len(rows) - len(proposed),
            "unplaced": unplaced,
            "late_count": sum(1 for row in unplaced if row["late"]),
            "stale_count": sum(1 for row in rows if row["no_longer_waiting"]),
            "can_change": draft and batches.has_permission(request.user, "change"),
            **(held_back_context(request) if draft else {}),
        },
    )


def _case_for(batch: BatchProposal, case_pk: int) -> Case:
    """A case of the batch, or one waiting for a match that the batch could take."""
    in_batch = Q(pk__in=batch.pairs.values("case_id"))
    waiting = Q(pk__in=selectors.unmatched_cases().values("pk"))
    try:
        return Case.objects.filter(in_batch | waiting).get(pk=case_pk)
    except Case.DoesNotExist:
        raise Http404 from None


def _option_rows(options, form: ChangePairForm, current_mentor_id: int | None) -> list[dict]:
    field = form["mentor"]
    chosen = str(field.value()) if field.value() not in (None, "") else ""
    rows = []
    for n, option in enumerate(options):
        rows.append(
            {
                "option": option,
                "id": f"{field.auto_id}_{n}",
                "value": option.mentor.pk,
                "checked": chosen == str(option.mentor.pk),
                "current": option.mentor.pk == current_mentor_id,
                "score": number(option.score),
                "delta": delta_text(option.delta),
                "places": _places_text(option.places_left),
                "full": option.places_left <= 0,
            }
        )
    return rows


@permission_required("matching_batch", "change")
@require_http_methods(["GET", "POST"])
def batch_change(request, pk: int, case_pk: int):
    batch = _batch(request, pk, "change")
    case = _case_for(batch, case_pk)
    if batch.status != BatchStatus.DRAFT:
        messages.error(
            request,
            f"This batch proposal is already {batch.get_status_display().lower()}, so its "
            "pairs can no longer be changed.",
        )
        return _back_to(batch)
    current = batch.pairs.filter(case=case).select_related("mentor").first()
    options = selectors.alternatives(batch, case)
    posted = request.POST if request.method == "POST" else None
    form = ChangePairForm(
        posted,
        alternatives=options,
        initial={"mentor": current.mentor_id} if current else {},
    )
    if posted is not None and form.is_valid():
        mentor_id = form.cleaned_data["mentor"]
        if current and current.mentor_id == mentor_id:
            messages.info(request, f"{case.reference} keeps {current.mentor.full_name}.")
            return _back_to(batch)
        mentor = Mentor.objects.get(pk=mentor_id)
        try:
            services.batch_pair_change(
                actor=request.user, batch=batch, case=case, mentor=mentor, request=request
            )
        except services.MatchRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"{case.reference} is now paired with {mentor.full_name}. The total fit is "
                f"{number(_total(batch))}.",
            )
            return _back_to(batch)
    if request.method == "GET":
        # The explanations speak of the person's needs.
        record_view(actor=request.user, obj=case, request=request, reason="Batch proposal: change")
    return render(
        request,
        f"{TEMPLATES}/change.html",
        {
            "batch": batch,
            "case": case,
            "current": current,
            "current_score": number(current.score) if current else "",
            "total": number(_total(batch)),
            "form": form,
            "options": _option_rows(options, form, current.mentor_id if current else None),
            "suggestions_url": url_if_installed("matching:suggestions", pk=case.pk),
        },
    )


@permission_required("matching_batch", "change")
@require_POST
def batch_remove(request, pk: int, case_pk: int):
    batch = _batch(request, pk, "change")
    case = _case_for(batch, case_pk)
    try:
        services.batch_pair_remove(actor=request.user, batch=batch, case=case, request=request)
    except services.MatchRefused as error:
        return _refused(request, batch, error)
    messages.success(
        request,
        f"{case.reference} is removed from this batch. The total fit is {number(_total(batch))}.",
    )
    return _back_to(batch)


@permission_required("matching_batch", "change")
@require_POST
def batch_confirm(request, pk: int):
    batch = _batch(request, pk, "change")
    try:
        outcome = services.batch_confirm(actor=request.user, batch=batch, request=request)
    except services.MatchRefused as error:
        return _refused(request, batch, error)
    n = len(outcome.proposed)
    if n:
        messages.success(
            request,
            counted(
                n,
                "%(count)d match proposed to the mentor. The case stays awaiting a match "
                "until the mentor accepts.",
                "%(count)d matches proposed to the mentors. Each case stays awaiting a match "
                "until its mentor accepts.",
            ),
        )
    if outcome.refused:
        refused = "; ".join(
            f"{pair.case.reference} with {pair.mentor.full_name}: {reason}"
            for pair, reason in outcome.refused
        )
        count = len(outcome.refused)
        messages.warning(
            request,
            counted(
                count,
                "%(count)d pair was not proposed because it is no longer possible.",
                "%(count)d pairs were not proposed because they are no longer possible.",
            )
            + f" {refused}",
        )
    if not n and not outcome.refused:
        messages.info(request, "The batch proposal is confirmed. It had no pairs to propose.")
    return _back_to(batch)


@permission_required("matching_batch", "change")
@require_POST
def batch_discard(request, pk: int):
    batch = _batch(request, pk, "change")
    try:
        services.batch_discard(actor=request.user, batch=batch, request=request)
    except services.MatchRefused as error:
        return _refused(request, batch, error)
    messages.success(request, "The batch proposal is discarded. Nothing was proposed.")
    return redirect("matching:batch_list")


urlpatterns = [
    path("matching/batch/", batch_list, name="batch_list"),
    path("matching/batch/new/", batch_create, name="batch_create"),
    path("matching/batch/<int:pk>/", batch_detail, name="batch_detail"),
    path("matching/batch/<int:pk>/cases/<int:case_pk>/", batch_change, name="batch_change"),
    path(
        "matching/batch/<int:pk>/cases/<int:case_pk>/remove/",
        batch_remove,
        name="batch_remove",
    ),
    path("matching/batch/<int:pk>/confirm/", batch_confirm, name="batch_confirm"),
    path("matching/batch/<int:pk>/discard/", batch_discard, name="batch_discard"),
]
