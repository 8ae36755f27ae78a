"""Lone working: the mentor's check-in and check-out (buttons on their phone, on this
app's "Check in and out" page and in ``meetings/includes/lone_working.html`` for any
session page), and the coordinators' "Lone-working alerts" page."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from tandem.core.access import Scope
from tandem.core.permissions import has_permission, permission_required
from tandem.mentors.permissions import mentors

from ..models import Session
from ..permissions import lone_working, lone_working_alerts
from ..selectors.monitoring import (
    open_lone_working_alerts,
    recent_acknowledged_alerts,
    sessions_to_check_in,
)
from ..services import lone_working as services


def _next(request, default: str) -> str:
    """Back to the page the button was on, if it is one of ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _session(request, policy, action: str, pk: int) -> Session:
    return policy.get_object_or_404(
        request.user,
        action,
        queryset=Session.objects.select_related("case", "mentor", "place_type"),
        pk=pk,
    )


@require_GET
@permission_required("lone_working", "view")
def lone_working_today(request):
    return render(
        request,
        "meetings/lone_working/today.html",
        {"sessions": sessions_to_check_in(request.user), "now": timezone.now()},
    )


def _check(request, pk: int, perform, done: str):
    session = _session(request, lone_working, "change", pk)
    if request.method == "GET":
        return redirect("meetings:lone_working_today")
    try:
        perform(actor=request.user, session=session, request=request)
    except services.LoneWorkingRefused as refusal:
        messages.error(request, str(refusal))
    else:
        when = timezone.localtime(timezone.now())
        messages.success(request, f"{done} at {when:%H:%M} for {session.case.reference}.")
    return redirect(_next(request, "meetings:lone_working_today"))


@require_http_methods(["GET", "POST"])
@permission_required("lone_working", "change")
def session_check_in(request, pk: int):
    return _check(request, pk, services.session_check_in, "You checked in")


@require_http_methods(["GET", "POST"])
@permission_required("lone_working", "change")
def session_check_out(request, pk: int):
    return _check(request, pk, services.session_check_out, "You checked out")


@require_GET
@permission_required("lone_working_alert", "view")
def lone_working_alert_list(request):
    return render(
        request,
        "meetings/lone_working/alerts.html",
        {
            "open_alerts": open_lone_working_alerts(),
            "acknowledged": recent_acknowledged_alerts(),
            "can_acknowledge": has_permission(request.user, "lone_working_alert", "change"),
            # The mentor's record (phone, email) for those who reach every mentor's.
            "can_open_mentor": Scope.ALL in mentors.scopes(request.user, "view"),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("lone_working_alert", "change")
def lone_working_acknowledge(request, pk: int):
    session = _session(request, lone_working_alerts, "change", pk)
    if request.method == "GET":
        return redirect("meetings:lone_working_alerts")
    try:
        services.lone_working_alert_acknowledge(
            actor=request.user, session=session, request=request
        )
    except services.LoneWorkingRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            f"You acknowledged the missed check-out for {session.case.reference}. Contact "
            f"{session.mentor.full_name} now and follow the lone-working procedure.",
        )
    return redirect("meetings:lone_working_alerts")


urlpatterns = [
    path("lone-working/", lone_working_today, name="lone_working_today"),
    path("sessions/<int:pk>/check-in/", session_check_in, name="session_check_in"),
    path("sessions/<int:pk>/check-out/", session_check_out, name="session_check_out"),
    path("lone-working/alerts/", lone_working_alert_list, name="lone_working_alerts"),
    path(
        "lone-working/alerts/<int:pk>/acknowledge/",
        lone_working_acknowledge,
        name="lone_working_acknowledge",
    ),
]
