"""Matching one case: its needs, its matches, the five best mentors with each score
explained and who was excluded and why; proposing a mentor; changing the needs.

Cases are loaded through the case_matching policy (404 for a case the user may not
reach). Suggestions are computed from the whole pool in a fixed number of queries:
the pool as arrays, the case as arrays, then the five mentors shown, prefetched
together for their explanations. A form posted from a stale page is refused and
shown again with what was typed and the case as it is now.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from tandem.audit.services import record_view
from tandem.cases.lifecycle import ENDED
from tandem.cases.models import Case, CaseStatus
from tandem.cases.navigation import case_tabs
from tandem.cases.services.lifecycle import CaseConflict
from tandem.core.links import url_if_installed
from tandem.core.permissions import has_permission, permission_required

from ..explain import by_count, exclusion_summary, exclusion_words
from ..features import cases_for_matching
from ..forms.cases import NeedsForm, ProposeForm
from ..guards import case_hold
from ..models import CaseNeeds, Match
from ..needs import availability_in_words
from ..permissions import case_matching
from ..selectors import held_back, rank_mentors
from ..services import MatchRefused, NeedsRefused, case_needs_update, match_propose

TEMPLATES = "matching/cases"
SHOWN = 5


def _case(request, pk: int, action: str) -> Case:
    return case_matching.get_object_or_404(
        request.user, action, queryset=cases_for_matching(), pk=pk
    )


# The suggestions page ------------------------------------------------------------------


def suggestions_for(case: Case) -> dict:
    """The best mentors for ``case`` with their explanations, and the exclusions.

    ``state`` is "no_mentors" (nobody active in the pool), "nobody_allowed" or "ok".
    """
    ranking = rank_mentors(case, k=SHOWN)
    if not ranking.pool_size:
        return {"state": "no_mentors"}
    words = exclusion_words(ranking.case, ranking.policy)
    exclusions = [
        {"count": count, "words": words[name]} for name, count in by_count(ranking.excluded)
    ]
    rows = [
        {"mentor": r.mentor, "score": r.score, "places_left": r.spare, "parts": r.parts}
        for r in ranking.mentors
    ]
    return {
        "state": "ok" if ranking.allowed else "nobody_allowed",
        "rows": rows,
        "allowed": ranking.allowed,
        "pool_size": ranking.pool_size,
        "exclusions": exclusions,
        "summary": exclusion_summary(ranking.excluded, words),
    }


def needs_rows(case: Case) -> list[dict]:
    """The case's matching needs as summary-list rows: key, lines of value, and whether
    the needs page changes it."""
    languages = [language.name for language in case.languages.all()]
    fitting = [s.name for s in case.concern_type.specialisms.all()]
    needs = CaseNeeds.of(case)
    rows = [
        (
            "Languages",
            [", ".join(languages) or "Any language"]
            + (["An interpreter is needed"] if case.interpreter_needed else []),
            True,
        ),
        (
            "Preferred language",
            [case.preferred_language.name if case.preferred_language else "No preference"],
            True,
        ),
        ("Mentor's gender", [case.get_mentor_gender_preference_display()], True),
        (
            "Faith asked for",
            [needs.requested_faith.name if needs.requested_faith else "No request"],
            True,
        ),
        (
            "Required specialism",
            [needs.required_specialism.name if needs.required_specialism else "None"],
            True,
        ),
        ("Area", [case.area.name if case.area else "Not known"], True),
        ("Online sessions", ["Acceptable" if case.accepts_online else "Not acceptable"], True),
        (
            "When the person can meet",
            availability_in_words(needs.availability) or ["Not known"],
            True,
        ),
        ("Urgency", [case.get_urgency_display()], False),
        (
            "Concern type",
            [
                case.concern_type.name,
                f"Specialisms that fit it: {', '.join(fitting)}"
                if fitting
                else "No specialisms are set for it",
            ],
            False,
        ),
    ]
    return [{"key": key, "lines": lines, "change": change} for key, lines, change in rows]


def _matches_of(case: Case) -> tuple[Match | None, list[Match]]:
    """The case's live match (if any) and its other matches, newest first."""
    matches = list(Match.objects.filter(case=case).select_related("mentor"))
    live = next((m for m in matches if m.is_live), None)
    return live, [m for m in matches if m is not live]


def held_back_context(request) -> dict:
    """The mentors held back today, and a link to them in the pool for those who may see it."""
    pool = url_if_installed("mentors:pool")
    may_see = pool and has_permission(request.user, "mentor_pool", "view")
    return {
        "held_back": held_back(),
        "pool_url": f"{pool}?status=active&matchable=no" if may_see else "",
    }


def _suggestions_page(request, case: Case, *, form: ProposeForm | None = None):
    live, past = _matches_of(case)
    can_propose = case_matching.has_object_permission(request.user, "change", case)
    hold = case_hold(case) if case.status == CaseStatus.AWAITING_MATCH and live is None else None
    waiting = case.status == CaseStatus.AWAITING_MATCH and live is None and hold is None
    record_view(actor=request.user, obj=case, request=request, reason="matching")
    return render(
        request,
        f"{TEMPLATES}/suggestions.html",
        {
            "case": case,
            "tabs": case_tabs(request, case),
            "form": form,
            "live": live,
            "past": past,
            "waiting": waiting,
            "hold": hold,
            "suggestions": suggestions_for(case) if waiting else None,
            "can_change": can_propose,
            "needs": needs_rows(case),
            "gaps_url": url_if_installed("matching:gaps"),
            **(held_back_context(request) if waiting else {}),
        },
    )


@require_GET
@permission_required("case_matching", "view")
def suggestions(request, pk: int):
    return _suggestions_page(request, _case(request, pk, "view"))


@permission_required("case_matching", "change")
@require_http_methods(["POST"])
def propose(request, pk: int):
    case = _case(request, pk, "change")
    form = ProposeForm(request.POST, case=case)
    if form.is_valid():
        mentor = form.cleaned_data["mentor"]
        try:
            match = match_propose(
                actor=request.user,
                case=case,
                mentor=mentor,
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except (MatchRefused, CaseConflict) as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                f"{mentor.full_name} has been proposed as the mentor for {case.reference}. "
                "They have been asked to accept or decline.",
            )
            return redirect("matching:match_detail", pk=match.pk)
    # The page as it is now (status, version, matches), with the refusal at the top.
    return _suggestions_page(request, _case(request, pk, "view"), form=form)


# The matching needs --------------------------------------------------------------------


def _refreshed_needs_form(request, case: Case, message: str) -> NeedsForm:
    """The posted form again, everything typed kept, carrying the case's current
    version, with ``message`` at the top."""
    data = request.POST.copy()
    data["version"] = str(case.version)
    form = NeedsForm(data, case=case)
    form.is_valid()
    form.add_error(None, message)
    return form


@require_http_methods(["GET", "POST"])
@permission_required("case_matching", "change")
def needs(request, pk: int):
    case = _case(request, pk, "change")
    form = NeedsForm(request.POST if request.method == "POST" else None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            changed = case_needs_update(
                actor=request.user,
                case=case,
                needs=form.cleaned_needs(),
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except (CaseConflict, NeedsRefused) as refusal:
            form = _refreshed_needs_form(request, _case(request, pk, "change"), str(refusal))
        else:
            messages.success(
                request,
                f"The matching needs of {case.reference} have been saved."
                if changed
                else "Nothing was changed.",
            )
            return redirect("matching:suggestions", pk=case.pk)
    if request.method == "GET" and case.faith_preference:
        # The page quotes the referral's faith preference.
        record_view(actor=request.user, obj=case, request=request, reason="matching needs")
    return render(
        request,
        f"{TEMPLATES}/needs.html",
        {"case": case, "form": form, "ended": case.status in ENDED},
    )


urlpatterns = [
    path("cases/<int:pk>/matching/", suggestions, name="suggestions"),
    path("cases/<int:pk>/matching/propose/", propose, name="propose"),
    path("cases/<int:pk>/matching/needs/", needs, name="needs"),
]
