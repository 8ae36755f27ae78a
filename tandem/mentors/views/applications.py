"""Recruitment and the pipeline: the public application, coordinator-entered
applications, a mentor's record overview, status changes, the pipeline board and
giving sign-in access."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from tandem.accounts.models import User
from tandem.accounts.throttle import client_ip
from tandem.audit.services import record_view
from tandem.core.decorators import mfa_not_required
from tandem.core.filters import By, sort_list
from tandem.core.forms import GovUKForm
from tandem.core.permissions import has_permission, permission_required

from ..forms.applications import CoordinatorApplicationForm, PublicApplicationForm, TransitionForm
from ..matchability import Rules, mentor_matchability, prefetch_for_matchability
from ..models import (
    Mentor,
    MentorStatus,
    StatusChange,
    TrainingModule,
    VettingCheckType,
)
from ..navigation import mentor_tabs
from ..permissions import mentors
from ..profiles import weekly_availability, with_profile
from ..selectors import pipeline_board
from ..services import applications as services
from ..services.pipeline import (
    TransitionRefused,
    allowed_from,
    mentor_transition,
)

TEMPLATES = "mentors/applications"


def _posted(request):
    """The posted data, even when empty (an empty POST is still a submission)."""
    return request.POST if request.method == "POST" else None


# Applying ------------------------------------------------------------------------------


@login_not_required
@mfa_not_required
@require_GET
def become(request):
    """The public start page: what mentoring involves, who can, what happens, then apply."""
    return render(
        request,
        f"{TEMPLATES}/become.html",
        {
            "check_types": VettingCheckType.objects.filter(required=True, is_active=True),
            "modules": TrainingModule.objects.filter(is_active=True),
        },
    )


@login_not_required
@mfa_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def apply(request):
    form = PublicApplicationForm(_posted(request))
    status = 200
    if request.method == "POST":
        if form.honeypot_filled:
            # Looks like any other success to the bot; nothing is saved.
            return redirect("mentors:apply_done")
        if form.is_valid():
            ip = client_ip(request)
            if services.application_slot_take(ip=ip):
                try:
                    services.application_submit(request=request, **form.application_data())
                except Exception:
                    services.application_slot_release(ip=ip)
                    raise
                return redirect("mentors:apply_done")
            form.add_error(
                None,
                "Too many applications have been sent from this network recently. Wait "
                f"{services.rate_window_description()}, then send yours again: your answers "
                "are kept below.",
            )
            status = 429
    return render(
        request,
        f"{TEMPLATES}/apply.html",
        {"form": form},
        status=status,
    )


@login_not_required
@mfa_not_required
@require_GET
def apply_done(request):
    return render(
        request,
        f"{TEMPLATES}/apply_done.html",
        {
            "check_types": VettingCheckType.objects.filter(required=True, is_active=True),
            "modules": TrainingModule.objects.filter(is_active=True),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("mentor", "change")
def add(request):
    form = CoordinatorApplicationForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        mentor = services.application_create(
            actor=request.user, request=request, **form.application_data()
        )
        messages.success(request, f"{mentor.full_name} has been added as an applicant.")
        return redirect("mentors:detail", pk=mentor.pk)
    return render(request, f"{TEMPLATES}/add.html", {"form": form})


# A mentor's record ---------------------------------------------------------------------


def _detail_queryset():
    return with_profile(
        prefetch_for_matchability(Mentor.objects.select_related("user", "supervisor"))
    ).prefetch_related(
        Prefetch("status_changes", queryset=StatusChange.objects.select_related("changed_by")),
    )


def _transition_form(mentor: Mentor, data=None, seen_status: str | None = None):
    """The status-change form. Choices follow the status the user saw, so a form
    posted after someone else moved the mentor reaches the service, which refuses it
    as stale with a clear message."""
    seen = seen_status if seen_status in MentorStatus.values else mentor.status
    return TransitionForm(
        data, mentor=mentor, allowed=allowed_from(seen), initial={"expected_status": seen}
    )


@require_GET
@permission_required("mentor", "view")
def detail(request, pk: int):
    mentor = mentors.get_object_or_404(request.user, "view", queryset=_detail_queryset(), pk=pk)
    can_change = mentors.has_object_permission(request.user, "change", mentor)
    # The page shows decrypted contact details (the phone number) and, to those who
    # may change the record, the application answers.
    record_view(actor=request.user, obj=mentor, request=request)
    access_user = None
    if can_change and mentor.user_id is None:
        access_user = User.objects.filter(email__iexact=mentor.email).first()
    return render(
        request,
        f"{TEMPLATES}/detail.html",
        {
            "mentor": mentor,
            "tabs": mentor_tabs(request, mentor),
            "can_change": can_change,
            "matchability": mentor_matchability(mentor, Rules.load()),
            "history": mentor.status_changes.all(),
            "availability": weekly_availability(mentor),
            "transition_form": _transition_form(mentor) if can_change else None,
            "can_grant_access": (
                can_change and mentor.user_id is None and mentor.status in services.ACCESS_STATUSES
            ),
            "existing_account": access_user,
            "can_see_pipeline": has_permission(request.user, "mentor_pool", "view"),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("mentor", "change")
def transition(request, pk: int):
    mentor = mentors.get_object_or_404(request.user, "change", pk=pk)
    if request.method != "POST":
        form = _transition_form(mentor)
    else:
        form = _transition_form(mentor, request.POST, request.POST.get("expected_status"))
        if form.is_valid():
            try:
                mentor_transition(
                    actor=request.user,
                    mentor=mentor,
                    to_status=form.cleaned_data["to_status"],
                    reason=form.cleaned_data["reason"],
                    expected_status=form.cleaned_data["expected_status"],
                    request=request,
                )
            except TransitionRefused as refusal:
                mentor.refresh_from_db(fields=["status", "status_changed_at"])
                # Show the form as it stands now, keeping what was typed; a choice the
                # current status no longer allows has to be made again.
                data = request.POST.copy()
                data["expected_status"] = mentor.status
                if data.get("to_status") not in allowed_from(mentor.status):
                    data.pop("to_status", None)
                form = _transition_form(mentor, data)
                form.is_valid()
                form.add_error(None, str(refusal))
            else:
                label = MentorStatus(form.cleaned_data["to_status"]).label.lower()
                messages.success(request, f"{mentor.full_name}'s status is now {label}.")
                return redirect("mentors:detail", pk=mentor.pk)
    return render(
        request,
        f"{TEMPLATES}/transition.html",
        {"mentor": mentor, "form": form},
    )


class GrantAccessForm(GovUKForm):
    """No questions: the form carries the CSRF token and any refusal."""


@require_http_methods(["GET", "POST"])
@permission_required("mentor", "change")
def grant_access(request, pk: int):
    mentor = mentors.get_object_or_404(
        request.user, "change", queryset=Mentor.objects.select_related("user"), pk=pk
    )
    form = GrantAccessForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        had_account = User.objects.filter(email__iexact=mentor.email).exists()
        try:
            services.mentor_grant_access(actor=request.user, mentor=mentor, request=request)
        except services.AccessRefused as refusal:
            form.add_error(None, str(refusal))
            mentor.refresh_from_db()
        else:
            if had_account:
                done = "Their existing account has been linked and given the mentor role."
            else:
                done = "They have been sent an email with a link to set a password."
            messages.success(request, f"{mentor.full_name} can now sign in. {done}")
            return redirect("mentors:detail", pk=mentor.pk)
    existing = None
    if mentor.user_id is None:
        existing = User.objects.filter(email__iexact=mentor.email).first()
    return render(
        request,
        f"{TEMPLATES}/grant_access.html",
        {
            "mentor": mentor,
            "form": form,
            "eligible": mentor.user_id is None and mentor.status in services.ACCESS_STATUSES,
            "existing_account": existing,
        },
    )


# The pipeline board --------------------------------------------------------------------


# Each stage's table sorts the same way: longest in the status first (the default), by
# name, or newest in the status first. A stage shows its longest-waiting mentors only,
# so an order applies to the mentors shown.
PIPELINE_ORDERS = {
    "days": By(),
    "days_asc": By(lambda entry: (entry.days_in_status, entry.mentor.pk)),
    "name": By(lambda entry: (entry.mentor.full_name.casefold(), entry.mentor.pk)),
}
PIPELINE_COLUMNS = [("Name", "name"), ("Days in this status", ("days", "days_asc"), "numeric")]


@require_GET
@permission_required("mentor_pool", "view")
def pipeline(request):
    columns, headers = [], []
    for column in pipeline_board():
        ordered = sort_list(
            request, column.entries, orderings=PIPELINE_ORDERS, columns=PIPELINE_COLUMNS
        )
        columns.append(replace(column, entries=tuple(ordered.items)))
        headers = ordered.headers
    return render(
        request,
        f"{TEMPLATES}/pipeline.html",
        {"columns": columns, "headers": headers, "total": sum(c.count for c in columns)},
    )


urlpatterns = [
    path("become/", become, name="become"),
    path("apply/", apply, name="apply"),
    path("apply/sent/", apply_done, name="apply_done"),
    path("new/", add, name="add"),
    path("pipeline/", pipeline, name="pipeline"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/status/", transition, name="transition"),
    path("<int:pk>/access/", grant_access, name="grant_access"),
]
