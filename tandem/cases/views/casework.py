"""The case record and the decisions taken on it: the overview, a possible duplicate,
screening, consent and its withdrawal, other status changes, and the timeline.

Every form carries the case's version as the user saw it. When someone else changed
the case meanwhile, the service refuses it and the form comes back with everything
the user typed, the case as it is now, and a clear message.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from tandem.audit.services import record_view
from tandem.core.links import url_if_installed
from tandem.core.permissions import permission_required

from ..forms.casework import (
    ConsentForm,
    ConsentWithdrawForm,
    DuplicateDecisionForm,
    PathwayForm,
    ScreeningForm,
    StatusChangeForm,
)
from ..guidance import case_facts, intake_tasks, next_task, waiting_on_others
from ..lifecycle import ACTIONS, ENDED, available_actions
from ..models import Case, CaseStatus, Consent, DuplicateDecision, ScreeningOutcome
from ..navigation import case_tabs, task_href
from ..permissions import cases
from ..selectors import current_consent
from ..services.lifecycle import CaseConflict, LifecycleRefused, case_change_status
from ..services.referrals import case_pathway_change, duplicate_decide
from ..services.screening import (
    CONSENT_OPEN,
    SCREENABLE,
    consent_record,
    consent_withdraw,
    screening_record,
)

TEMPLATES = "cases/casework"
TIMELINE_PAGE_SIZE = 50

# Actions with a page of their own; the status-change page offers the rest.
SCREENING_ACTIONS = frozenset({"start_screening", "screen_out"})
CONSENT_ACTIONS = frozenset({"screen_in", "decline_consent"})
# Matching owns the moves into and out of a match (proposing, accepting, starting and
# ending a match go through tandem.matching, which moves the case).
MATCH_ACTIONS = frozenset({"match", "start_support", "break_match"})
OWN_PAGES = SCREENING_ACTIONS | CONSENT_ACTIONS | MATCH_ACTIONS | {"withdraw_consent", "close"}
# The closure page belongs to the plan and closure pages; linked when installed.
CLOSURE_URL_NAMES = ("cases:close", "cases:closure")


def _posted(request):
    """The posted data, even when empty (an empty POST is still a submission)."""
    return request.POST if request.method == "POST" else None


def _closure_url(case: Case) -> str:
    for name in CLOSURE_URL_NAMES:
        if url := url_if_installed(name, pk=case.pk):
            return url
    return ""


def status_actions(case: Case) -> list:
    """The lifecycle actions the status-change page offers for ``case`` now."""
    return [a for a in available_actions(case.status) if a.name not in OWN_PAGES]


def next_steps(case: Case) -> list[dict]:
    """What a coordinator can do next, as links to the pages that do it."""
    names = {a.name for a in available_actions(case.status)}
    steps = []
    if names & SCREENING_ACTIONS:
        steps.append(
            {"text": "Record the screening", "href": url_if_installed("cases:screen", pk=case.pk)}
        )
    if names & CONSENT_ACTIONS or case.status == CaseStatus.REFERRED:
        steps.append(
            {"text": "Record consent", "href": url_if_installed("cases:consent", pk=case.pk)}
        )
    if "withdraw_consent" in names or (
        case.status in SCREENABLE and any(c.is_current for c in case.consents.all())
    ):
        steps.append(
            {
                "text": "Record that consent was withdrawn",
                "href": url_if_installed("cases:consent_withdraw", pk=case.pk),
            }
        )
    others = status_actions(case)
    if others:
        steps.append(
            {
                "text": "Change status",
                "href": url_if_installed("cases:act", pk=case.pk),
                "hint": "Possible now: " + ", ".join(a.label.lower() for a in others),
            }
        )
    if "close" in names and (url := _closure_url(case)):
        steps.append({"text": "Close the case", "href": url})
    return steps


def guidance(user, case: Case) -> dict:
    """The case page's next task (a primary button) and the intake task list."""
    facts = case_facts(case)
    task = next_task(case.pk, case.status, facts)
    href = task_href(user, task)
    intake = [
        {"item": item, "href": task_href(user, item.task)}
        for item in intake_tasks(case.pk, case.status, facts)
    ]
    return {
        "next_task": {"text": task.text, "href": href} if href else None,
        "waiting_on": waiting_on_others(case.status, facts),
        "intake": intake,
        "intake_done": sum(1 for row in intake if row["item"].done),
    }


def _date_or_text(value: str):
    """A stored ISO date as a date (for display), or the text as stored."""
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return value


def _refreshed_form(form_class, request, case: Case, message: str, **kwargs):
    """The posted form again, bound to what the user typed but to the case as it is
    now (its current version), with ``message`` at the top."""
    case.refresh_from_db()
    data = request.POST.copy()
    data["version"] = str(case.version)
    form = form_class(data, case=case, **kwargs)
    form.is_valid()
    form.add_error(None, message)
    return form


# The case record -----------------------------------------------------------------------


def _record_queryset():
    return Case.objects.select_related(
        "concern_type",
        "area",
        "preferred_language",
        "referred_by",
        "screened_by",
        "closed_by",
        "possible_duplicate_of",
    ).prefetch_related(
        "languages",
        Prefetch(
            "consents",
            queryset=Consent.objects.select_related("recorded_by", "withdrawal_recorded_by"),
        ),
    )


@require_GET
@permission_required("case", "view")
def detail(request, pk: int):
    case = cases.get_object_or_404(request.user, "view", queryset=_record_queryset(), pk=pk)
    can_change = cases.has_object_permission(request.user, "change", case)
    record_view(actor=request.user, obj=case, request=request)
    flagged_against_this = Case.objects.filter(possible_duplicate_of=case)
    duplicates_of_this = list(flagged_against_this.only("pk", "reference", "duplicate_decision"))
    return render(
        request,
        f"{TEMPLATES}/detail.html",
        {
            "case": case,
            "tabs": case_tabs(request, case, with_next_task=False),
            "can_change": can_change,
            "consents": case.consents.all(),
            "duplicates_of_this": duplicates_of_this,
            "duplicate_form": (
                DuplicateDecisionForm(case=case)
                if can_change and case.duplicate_decision == DuplicateDecision.PENDING
                else None
            ),
            "next_steps": next_steps(case) if can_change else [],
            "guidance": guidance(request.user, case) if can_change else None,
            "ended": case.status in ENDED,
            "date_of_birth": _date_or_text(case.date_of_birth) if can_change else None,
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("case", "change")
def duplicate_decide_view(request, pk: int):
    case = cases.get_object_or_404(
        request.user,
        "change",
        queryset=Case.objects.select_related("possible_duplicate_of"),
        pk=pk,
    )
    form = DuplicateDecisionForm(_posted(request), case=case)
    if request.method == "POST" and form.is_valid():
        try:
            duplicate_decide(
                actor=request.user,
                case=case,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except CaseConflict as conflict:
            form = _refreshed_form(DuplicateDecisionForm, request, case, str(conflict))
        except LifecycleRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "The decision on the possible duplicate has been recorded.")
            return redirect("cases:detail", pk=case.pk)
    return render(request, f"{TEMPLATES}/duplicate.html", {"case": case, "form": form})


@require_http_methods(["GET", "POST"])
@permission_required("case", "change")
def pathway(request, pk: int):
    case = cases.get_object_or_404(request.user, "change", pk=pk)
    form = PathwayForm(_posted(request), case=case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = case_pathway_change(
                actor=request.user,
                case=case,
                pathway=data["pathway"],
                reason=data["reason"],
                expected_version=data["version"],
                request=request,
            )
        except (CaseConflict, LifecycleRefused) as refusal:
            form = _refreshed_form(PathwayForm, request, case, str(refusal))
        else:
            messages.success(
                request,
                f"{case.reference} is now on the {case.get_pathway_display().lower()} pathway.",
            )
            return redirect("cases:detail", pk=case.pk)
    return render(request, f"{TEMPLATES}/pathway.html", {"case": case, "form": form})


# Screening and consent -----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("case", "change")
def screen(request, pk: int):
    case = cases.get_object_or_404(request.user, "change", pk=pk)
    if request.method == "GET" and case.screening_notes:
        # The form shows the screening notes.
        record_view(actor=request.user, obj=case, request=request, reason="screening")
    initial = {"outcome": case.screening_outcome, "notes": case.screening_notes}
    form = ScreeningForm(_posted(request), case=case, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = screening_record(
                actor=request.user,
                case=case,
                outcome=data["outcome"],
                notes=data["notes"],
                reason=data["reason"],
                expected_version=data["version"],
                request=request,
            )
        except CaseConflict as conflict:
            form = _refreshed_form(ScreeningForm, request, case, str(conflict))
        except LifecycleRefused as refusal:
            form = _refreshed_form(ScreeningForm, request, case, str(refusal))
        else:
            if data["outcome"] == ScreeningOutcome.NOT_APPROPRIATE:
                done = "The referral was screened out as not appropriate and the case has ended."
            elif case.status == CaseStatus.ASSESSMENT:
                done = "The screening has been saved. Consent is in place: assessment can start."
            else:
                done = "The screening has been saved. Record consent to move on to assessment."
            messages.success(request, done)
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        f"{TEMPLATES}/screen.html",
        {"case": case, "form": form, "open": case.status in SCREENABLE},
    )


@require_http_methods(["GET", "POST"])
@permission_required("case", "change")
def consent(request, pk: int):
    case = cases.get_object_or_404(request.user, "change", pk=pk)
    form = ConsentForm(_posted(request), case=case)
    if request.method == "GET" and form.initial.get("giver_name"):
        # The form shows the guardian named in the referral.
        record_view(actor=request.user, obj=case, request=request, reason="consent")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            consent_record(
                actor=request.user,
                case=case,
                decision=data["decision"],
                given_by=data["given_by"],
                giver_name=data["giver_name"],
                decided_on=data["decided_on"],
                method=data["method"],
                capacity_note=data["capacity_note"],
                capacity_confirmed=data.get("capacity_confirmed", False),
                child_agreement=data.get("child_agreement", ""),
                competence_assessed_by=data.get("competence_assessed_by", ""),
                competence_assessed_on=data.get("competence_assessed_on"),
                expected_version=data["version"],
                request=request,
            )
        except (CaseConflict, LifecycleRefused) as refusal:
            form = _refreshed_form(ConsentForm, request, case, str(refusal))
        else:
            case.refresh_from_db()
            if case.status == CaseStatus.ASSESSMENT:
                done = "Consent has been recorded. The case has moved to assessment."
            elif case.status == CaseStatus.CONSENT_DECLINED:
                done = "The declined consent has been recorded and the case has ended."
            else:
                done = "Consent has been recorded."
            messages.success(request, done)
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        f"{TEMPLATES}/consent.html",
        {
            "case": case,
            "form": form,
            "open": case.status in CONSENT_OPEN,
            "current": current_consent(case),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("case", "change")
def consent_withdraw_view(request, pk: int):
    case = cases.get_object_or_404(request.user, "change", pk=pk)
    form = ConsentWithdrawForm(_posted(request), case=case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = consent_withdraw(
                actor=request.user,
                case=case,
                withdrawn_on=data["withdrawn_on"],
                reason=data["reason"],
                expected_version=data["version"],
                request=request,
            )
        except (CaseConflict, LifecycleRefused) as refusal:
            form = _refreshed_form(ConsentWithdrawForm, request, case, str(refusal))
        else:
            if case.status == CaseStatus.CONSENT_WITHDRAWN:
                done = (
                    "The withdrawal of consent has been recorded. Support has stopped and "
                    "the case has ended; its record is kept."
                )
            else:
                done = "The withdrawal of consent has been recorded."
            messages.success(request, done)
            return redirect("cases:detail", pk=case.pk)
    current = current_consent(case)
    can_withdraw = current is not None or case.status in ACTIONS["withdraw_consent"].sources
    return render(
        request,
        f"{TEMPLATES}/consent_withdraw.html",
        {"case": case, "form": form, "current": current, "can_withdraw": can_withdraw},
    )


# Other status changes ------------------------------------------------------------------


def _stale(request, case: Case) -> bool:
    """Whether the form was posted from a page showing an older version of the case."""
    posted = request.POST.get("version", "").strip()
    return posted.isascii() and posted.isdigit() and int(posted) != case.version


def _refreshed_status_form(request, case: Case, message: str) -> StatusChangeForm:
    case.refresh_from_db()
    allowed = status_actions(case)
    data = request.POST.copy()
    data["version"] = str(case.version)
    if data.get("action") not in {a.name for a in allowed}:
        data.pop("action", None)  # no longer possible: to be chosen again
    form = StatusChangeForm(data, case=case, actions=allowed)
    form.is_valid()
    form.add_error(None, message)
    return form


@require_http_methods(["GET", "POST"])
@permission_required("case", "change")
def act(request, pk: int):
    case = cases.get_object_or_404(request.user, "change", pk=pk)
    allowed = status_actions(case)
    # A guided task links here with the move it suggests chosen (?action=…).
    suggested = request.GET.get("action", "")
    initial = {"action": suggested} if suggested in {a.name for a in allowed} else {}
    form = StatusChangeForm(_posted(request), case=case, actions=allowed, initial=initial)
    if request.method == "POST" and _stale(request, case):
        # The moves on offer follow the status: tell of the change before anything else.
        form = _refreshed_status_form(request, case, str(CaseConflict()))
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = case_change_status(
                actor=request.user,
                case=case,
                action=data["action"],
                reason=data["reason"],
                expected_version=data["version"],
                request=request,
            )
        except (CaseConflict, LifecycleRefused) as refusal:
            form = _refreshed_status_form(request, case, str(refusal))
        else:
            messages.success(
                request, f"{case.reference} is now {case.get_status_display().lower()}."
            )
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        f"{TEMPLATES}/act.html",
        {"case": case, "form": form, "next_steps": next_steps(case)},
    )


# The timeline --------------------------------------------------------------------------


@require_GET
@permission_required("case", "view")
def timeline(request, pk: int):
    case = cases.get_object_or_404(request.user, "view", pk=pk)
    record_view(actor=request.user, obj=case, request=request, reason="timeline")
    events = case.events.select_related("actor").order_by("-occurred_at", "-pk")
    page = Paginator(events, TIMELINE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        f"{TEMPLATES}/timeline.html",
        {"case": case, "page": page, "tabs": case_tabs(request, case)},
    )


urlpatterns = [
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/duplicate/", duplicate_decide_view, name="duplicate_decide"),
    path("<int:pk>/pathway/", pathway, name="pathway"),
    path("<int:pk>/screening/", screen, name="screen"),
    path("<int:pk>/consent/", consent, name="consent"),
    path("<int:pk>/consent/withdraw/", consent_withdraw_view, name="consent_withdraw"),
    path("<int:pk>/status/", act, name="act"),
    path("<int:pk>/timeline/", timeline, name="timeline"),
]
