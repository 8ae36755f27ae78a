"""Matches: the coordinators' list, a mentor's own proposals and matches, one match's
page, and the answers and changes made on it (accept, decline, start, withdraw, end).

A match is loaded only through the match policy for the action at hand, so a mentor
reaches their own matches and nobody else's (404), a supervisor their supervisees'.
A proposal shows the mentor a summary of the person with no name and no narrative;
once they accept, the case record opens to them. Each change goes through
``tandem.matching.services``; a refusal comes back on the match page with what was
typed, and the match as it is now.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tandem.audit.services import record_view
from tandem.cases.permissions import cases
from tandem.cases.services.lifecycle import LifecycleRefused
from tandem.core.access import Scope
from tandem.core.forms import GovUKForm
from tandem.core.permissions import permission_required
from tandem.core.text import counted

from .. import services
from ..criteria import PREFERENCE_LABELS
from ..forms.matches import DeclineForm, EndForm, MatchFilterForm, StartForm, WithdrawForm
from ..models import CaseNeeds, Match, MatchStatus, MeetingPlace
from ..needs import availability_in_words
from ..permissions import case_matching, matches
from ..permissions import match_list as match_list_policy
from ..selectors import answer_days, unanswered

TEMPLATES = "matching/matches"
PAGE_SIZE = 25
PAST = (MatchStatus.DECLINED, MatchStatus.WITHDRAWN, MatchStatus.ENDED)


class AcceptForm(GovUKForm):
    """Accepting asks nothing; the form carries a refusal back to the page."""

    prefix = "accept"


def _match_queryset():
    return Match.objects.select_related(
        "case",
        "case__concern_type",
        "case__area",
        "case__preferred_language",
        "case__matching_needs",
        "mentor",
        "proposed_by",
        "ended_by",
    ).prefetch_related("case__languages")


def _match(request, action: str, pk: int) -> Match:
    return matches.get_object_or_404(request.user, action, queryset=_match_queryset(), pk=pk)


# Lists ---------------------------------------------------------------------------------


@require_GET
@permission_required("match_list", "view")
def match_list(request):
    if Scope.ALL not in match_list_policy.scopes(request.user, "view"):
        return redirect("matching:my_matches")  # a mentor's list is their own
    form = MatchFilterForm(request.GET, answer_days=answer_days())
    status = form.status_filter()
    only_unanswered = form.unanswered_filter()
    queryset = Match.objects.select_related("case", "mentor").order_by("-proposed_at", "-pk")
    if status:
        queryset = queryset.filter(status=status)
    if only_unanswered:
        queryset = unanswered(queryset)
    page = Paginator(
        match_list_policy.queryset(request.user, "view", queryset), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    count = page.paginator.count
    services.match_list_audit(
        actor=request.user,
        filters=[
            name for name, used in (("status", status), ("unanswered", only_unanswered)) if used
        ],
        request=request,
    )
    return render(
        request,
        f"{TEMPLATES}/list.html",
        {
            "filter_form": form,
            "page": page,
            "status_label": MatchStatus(status).label.lower() if status else "",
            "unanswered": only_unanswered,
            "caption": counted(count, "%(count)d match", "%(count)d matches")
            + (f" {MatchStatus(status).label.lower()}" if status else "")
            + (f", unanswered for more than {answer_days()} days" if only_unanswered else "")
            + ", newest first",
        },
    )


@require_GET
@permission_required("match_list", "view")
def my_matches(request):
    own = list(
        match_list_policy.queryset(request.user, "view")
        .filter(mentor__user=request.user)  # this page is the user's own, even for staff
        .select_related("case", "mentor")
        .order_by("-proposed_at", "-pk")
    )
    services.match_list_audit(actor=request.user, request=request)
    groups = [
        {
            "title": "Waiting for your answer",
            "empty": "No proposal is waiting for your answer.",
            "rows": [m for m in own if m.status == MatchStatus.PROPOSED],
        },
        {
            "title": "Accepted: first meeting to arrange",
            "empty": "None.",
            "rows": [m for m in own if m.status == MatchStatus.ACCEPTED],
        },
        {
            "title": "Active",
            "empty": "None.",
            "rows": [m for m in own if m.status == MatchStatus.ACTIVE],
        },
        {
            "title": "Past",
            "empty": "None.",
            "rows": [m for m in own if m.status in PAST],
        },
    ]
    every_match = Scope.ALL in match_list_policy.scopes(request.user, "view")
    return render(
        request,
        f"{TEMPLATES}/mine.html",
        {"groups": groups, "has_any": bool(own), "every_match": every_match},
    )


# One match -----------------------------------------------------------------------------


def _detail_page(request, match: Match, *, posted: GovUKForm | None = None):
    """The match page; ``posted`` is a form sent from it that was refused or invalid,
    shown in place of its blank twin with the error at the top."""
    user = request.user
    status = match.status
    can_respond = status == MatchStatus.PROPOSED and matches.has_object_permission(
        user, "respond", match
    )
    can_start = status == MatchStatus.ACCEPTED and matches.has_object_permission(
        user, "start", match
    )
    can_change = matches.has_object_permission(user, "change", match)
    forms = {
        "accept_form": AcceptForm() if can_respond else None,
        "decline_form": DeclineForm() if can_respond else None,
        "start_form": StartForm() if can_start else None,
        "withdraw_form": WithdrawForm() if can_change and status == MatchStatus.PROPOSED else None,
        "end_form": EndForm()
        if can_change and status in (MatchStatus.ACCEPTED, MatchStatus.ACTIVE)
        else None,
    }
    if posted is not None:
        name = f"{posted.prefix}_form"
        if forms.get(name) is not None:
            forms[name] = posted
    case = match.case
    is_mentor = match.mentor.user_id is not None and match.mentor.user_id == user.pk
    record_view(actor=user, obj=match, request=request, reason="match")
    return render(
        request,
        f"{TEMPLATES}/detail.html",
        {
            "match": match,
            "case": case,
            "form": posted,
            **forms,
            "is_mentor": is_mentor,
            "can_change": can_change,
            "can_open_case": cases.has_object_permission(user, "view", case),
            "can_match_case": case_matching.has_object_permission(user, "view", case),
            "show_decline_note": bool(match.decline_note) and (can_change or is_mentor),
            "languages": [language.name for language in case.languages.all()],
            "availability": availability_in_words(CaseNeeds.of(case).availability),
            "explanation": [
                {**part, "label": PREFERENCE_LABELS.get(part.get("criterion"), "")}
                for part in match.explanation
            ],
            "first_meeting_place": MeetingPlace(match.first_meeting_place).label
            if match.first_meeting_place
            else "",
        },
    )


@require_GET
@permission_required("match", "view")
def match_detail(request, pk: int):
    return _detail_page(request, _match(request, "view", pk))


def _act(request, pk: int, action: str, form_class, perform):
    """A POST from the match page: ``perform(match, cleaned_data)`` through a service;
    a GET goes to the match page."""
    match = _match(request, action, pk)
    if request.method == "GET":
        return redirect("matching:match_detail", pk=match.pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            message = perform(match, form.cleaned_data)
        except (services.MatchRefused, LifecycleRefused) as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, message)
            return redirect("matching:match_detail", pk=match.pk)
    return _detail_page(request, _match(request, "view", pk), posted=form)


@require_http_methods(["GET", "POST"])
@permission_required("match", "respond")
def match_accept(request, pk: int):
    def perform(match, data):
        services.match_accept(actor=request.user, match=match, request=request)
        return (
            f"You have accepted the match for {match.case.reference}. The case record is "
            "now open to you."
        )

    return _act(request, pk, "respond", AcceptForm, perform)


@require_http_methods(["GET", "POST"])
@permission_required("match", "respond")
def match_decline(request, pk: int):
    def perform(match, data):
        services.match_decline(
            actor=request.user,
            match=match,
            reason=data["reason"],
            note=data["note"],
            request=request,
        )
        return f"You have declined the proposal for {match.case.reference}."

    return _act(request, pk, "respond", DeclineForm, perform)


@require_http_methods(["GET", "POST"])
@permission_required("match", "start")
def match_start(request, pk: int):
    def perform(match, data):
        services.match_start(
            actor=request.user,
            match=match,
            first_meeting_at=data["first_meeting_at"],
            place=data["place"],
            request=request,
        )
        when = timezone.localtime(data["first_meeting_at"])
        return (
            f"The match has started. The first meeting is on {when:%-d %B %Y at %H:%M} "
            f"({MeetingPlace(data['place']).label.lower()})."
        )

    return _act(request, pk, "start", StartForm, perform)


@require_http_methods(["GET", "POST"])
@permission_required("match", "change")
def match_withdraw(request, pk: int):
    def perform(match, data):
        services.match_withdraw(
            actor=request.user, match=match, reason=data["reason"], request=request
        )
        return f"The proposal to {match.mentor.full_name} has been withdrawn."

    return _act(request, pk, "change", WithdrawForm, perform)


@require_http_methods(["GET", "POST"])
@permission_required("match", "change")
def match_end(request, pk: int):
    def perform(match, data):
        rematch = data["rematch"] == "yes"
        services.match_end(
            actor=request.user,
            match=match,
            reason=data["reason"],
            note=data["note"],
            rematch=rematch,
            request=request,
        )
        after = "is awaiting a new match" if rematch else "has moved on to closing"
        return f"The match has ended. {match.case.reference} {after}."

    return _act(request, pk, "change", EndForm, perform)


urlpatterns = [
    path("matches/", match_list, name="match_list"),
    path("matches/mine/", my_matches, name="my_matches"),
    path("matches/<int:pk>/", match_detail, name="match_detail"),
    path("matches/<int:pk>/accept/", match_accept, name="match_accept"),
    path("matches/<int:pk>/decline/", match_decline, name="match_decline"),
    path("matches/<int:pk>/start/", match_start, name="match_start"),
    path("matches/<int:pk>/withdraw/", match_withdraw, name="match_withdraw"),
    path("matches/<int:pk>/end/", match_end, name="match_end"),
]
