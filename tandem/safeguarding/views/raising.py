"""Raising a concern: from the home page (choose whom it is about), from a case's
Safeguarding tab and from a session. Two clicks: the link, then "Raise the concern"."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tandem.cases.navigation import case_tabs
from tandem.core.access import Scope
from tandem.core.permissions import permission_required
from tandem.mentors.models import Mentor

from .. import selectors, services
from ..defaults import RISK_TO_MENTOR
from ..forms import ABOUT_ME, RaiseForm
from ..models import ConcernCategory
from ..permissions import case_concerns, concern_raise, session_concern

TEMPLATES = "safeguarding"


def _subjects(user) -> tuple[list[tuple[str, str]], Mentor | None]:
    """What a user raising from the home page can choose: the cases they work on and,
    for a mentor, their own safety."""
    subjects = [(str(case.pk), case.reference) for case in selectors.raisable_cases(user)]
    mentor = Mentor.objects.filter(user=user).first() if "mentor" in user.roles else None
    if mentor is not None:
        subjects.append((ABOUT_ME, "Me: a concern about my own safety"))
    return subjects, mentor


def _raise(request, form, *, case=None, session=None, mentor=None):
    try:
        concern = services.concern_raise(
            actor=request.user,
            category=form.cleaned_data["category"],
            urgency=form.cleaned_data["urgency"],
            details=form.cleaned_data["details"],
            case=case,
            session=session,
            mentor=mentor,
            request=request,
        )
    except services.ConcernRefused as refusal:
        form.add_error(None, str(refusal))
        return None
    messages.success(
        request,
        f"Concern {concern.reference} is raised. The safeguarding lead has been told and "
        "must acknowledge it by "
        f"{timezone.localtime(concern.due_at):%H:%M on %d %B}.",
    )
    return redirect("safeguarding:detail", pk=concern.pk)


@permission_required("concern_raise", "create")
@require_http_methods(["GET", "POST"])
def raise_from_home(request):
    """From the home page. A coordinator or lead reaches every case, too many to list:
    they raise from the case's Safeguarding tab, and this page says so."""
    reaches_all = Scope.ALL in concern_raise.scopes(request.user, "create")
    subjects, mentor = ([], None) if reaches_all else _subjects(request.user)
    form = RaiseForm(request.POST or None, subjects=subjects)
    if not subjects:
        form = None
    if form is not None and request.method == "POST" and form.is_valid():
        about = form.cleaned_data["about"]
        if about == ABOUT_ME:
            response = _raise(request, form, mentor=mentor)
        else:
            case = concern_raise.get_object_or_404(request.user, "create", pk=about)
            response = _raise(request, form, case=case)
        if response is not None:
            return response
    if form is not None and not request.POST and mentor is not None:
        risk = ConcernCategory.objects.filter(code=RISK_TO_MENTOR).first()
        form.fields["category"].help_text = (
            f"For your own safety, choose “{risk.name}”." if risk else ""
        )
    return render(
        request,
        f"{TEMPLATES}/raise.html",
        {"form": form, "reaches_all": reaches_all, "has_subjects": bool(subjects)},
    )


@permission_required("concern_raise", "create")
@require_http_methods(["GET", "POST"])
def raise_for_case(request, pk: int):
    case = concern_raise.get_object_or_404(request.user, "create", pk=pk)
    form = RaiseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _raise(request, form, case=case)
        if response is not None:
            return response
    return render(request, f"{TEMPLATES}/raise.html", {"form": form, "case": case})


@permission_required("session_concern", "create")
@require_http_methods(["GET", "POST"])
def raise_for_session(request, pk: int):
    session = session_concern.get_object_or_404(
        request.user,
        "create",
        queryset=session_concern.base_queryset().select_related("case"),
        pk=pk,
    )
    form = RaiseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _raise(request, form, session=session)
        if response is not None:
            return response
    return render(
        request,
        f"{TEMPLATES}/raise.html",
        {"form": form, "case": session.case, "session": session},
    )


@require_GET
@permission_required("case_concerns", "view")
def case_concerns_view(request, pk: int):
    """A case's Safeguarding tab: its concerns (category, urgency, status; no content)
    and the button to raise one."""
    case = case_concerns.get_object_or_404(request.user, "view", pk=pk)
    return render(
        request,
        f"{TEMPLATES}/case_concerns.html",
        {
            "case": case,
            "tabs": case_tabs(request, case),
            "concerns": selectors.case_concern_list(case, request.user),
            "can_raise": concern_raise.has_object_permission(request.user, "create", case),
        },
    )


urlpatterns = [
    path("raise/", raise_from_home, name="raise"),
    path("cases/<int:pk>/raise/", raise_for_case, name="raise_case"),
    path("sessions/<int:pk>/raise/", raise_for_session, name="raise_session"),
    path("cases/<int:pk>/", case_concerns_view, name="case_concerns"),
]
