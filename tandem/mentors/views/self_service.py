"""A mentor's own pages (profile, availability, declarations, code of conduct, change
requests), the coordinator's profile editing and the change-request review queue.

A mentor reaches only their own record: every self-service view loads it through
``own_mentor_or_404``, so there is no id in the URL to change. Sub-records named in a
POST body (a declaration to withdraw, a request to decide) are looked up within what the
user may reach and answer 404 otherwise.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.audit.services import record_view
from tandem.core.links import url_if_installed
from tandem.core.permissions import has_permission, permission_required

from ..forms.profile import (
    ChangeRequestForm,
    CodeAcceptForm,
    ConflictForm,
    DecisionForm,
    ProfileForm,
    WithdrawForm,
    profile_initial,
)
from ..matchability import (
    Rules,
    current_accreditation,
    latest_checks,
    mentor_matchability,
    prefetch_for_matchability,
)
from ..models import (
    ChangeRequestStatus,
    CheckOutcome,
    CodeOfConduct,
    Mentor,
    ProfileChangeRequest,
    TrainingCompletion,
    VettingCheckType,
)
from ..navigation import mentor_tabs
from ..permissions import mentors, own_mentor_or_404
from ..profiles import weekly_availability, with_profile
from ..services import profile as services

CHANGE_REQUESTS_PER_PAGE = 25


def _posted(request):
    """The POST data for a bound form (even when empty, so that errors show), else None."""
    return request.POST if request.method == "POST" else None


def _profile_queryset():
    """Everything the profile pages read, in a fixed number of queries."""
    return with_profile(
        prefetch_for_matchability(Mentor.objects.select_related("user"))
    ).prefetch_related(
        Prefetch("completions", queryset=TrainingCompletion.objects.select_related("module")),
    )


def _load_profile(mentor: Mentor) -> Mentor:
    return _profile_queryset().get(pk=mentor.pk)


def _vetting_summary(mentor: Mentor, today) -> list[dict]:
    """Type, outcome and expiry of the latest check of each active type: no references."""
    latest = latest_checks(mentor)
    rows = []
    for check_type in VettingCheckType.objects.filter(is_active=True):
        check = latest.get(check_type.pk)
        expired = bool(
            check
            and check.outcome == CheckOutcome.PASSED
            and check.expires_on
            and check.expires_on <= today
        )
        rows.append(
            {
                "type": check_type,
                "check": check,
                "expired": expired,
                "status": (
                    "Not recorded"
                    if check is None
                    else "Expired"
                    if expired
                    else check.get_outcome_display()
                ),
            }
        )
    return rows


# The mentor's own pages -----------------------------------------------------------------


@require_GET
@permission_required("mentor_profile", "view")
def my_profile(request):
    mentor = _load_profile(own_mentor_or_404(request.user, "view"))
    rules = Rules.load()
    today = rules.today
    accreditation = current_accreditation(mentor, today)
    last_accreditation = max(
        (a for a in mentor.accreditations.all() if a.revoked_on is None),
        key=lambda a: (a.awarded_on, a.pk),
        default=None,
    )
    acceptance = None
    if rules.current_code is not None:
        acceptance = next(
            (a for a in mentor.acceptances.all() if a.code_id == rules.current_code.pk), None
        )
    completions = list(mentor.completions.all())
    change_requests = list(mentor.change_requests.all()[:10])
    record_view(actor=request.user, obj=mentor, request=request)
    return render(
        request,
        "mentors/profile/my_profile.html",
        {
            "mentor": mentor,
            "matchability": mentor_matchability(mentor, rules),
            "vetting": _vetting_summary(mentor, today),
            "completions": completions,
            "cpd_total": sum((c.cpd_hours for c in completions), Decimal(0)),
            "accreditation": accreditation,
            "last_accreditation": last_accreditation,
            "current_code": rules.current_code,
            "acceptance": acceptance,
            "pending_requests": [
                c for c in change_requests if c.status == ChangeRequestStatus.PENDING
            ],
            "decided_requests": [
                c for c in change_requests if c.status != ChangeRequestStatus.PENDING
            ][:5],
            "active_declarations": mentor.conflicts.filter(withdrawn_on__isnull=True).count(),
            "availability": weekly_availability(mentor),
            "today": today,
        },
    )


def _profile_form_page(request, *, mentor, coordinator: bool, success_url: str, template_ctx):
    form = ProfileForm(
        _posted(request),
        mentor=mentor,
        initial=profile_initial(mentor),
        with_caseload_cap=coordinator,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(
                actor=request.user, mentor=mentor, data=form.cleaned_profile(), request=request
            )
        except services.ProfileError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                "Your profile has been saved."
                if not coordinator
                else f"{mentor.full_name}'s profile has been saved.",
            )
            return redirect(success_url)
    if request.method == "GET":
        record_view(actor=request.user, obj=mentor, request=request)
    return render(
        request,
        "mentors/profile/edit.html",
        {"form": form, "mentor": mentor, "coordinator": coordinator, **template_ctx},
    )


@require_http_methods(["GET", "POST"])
@permission_required("mentor_profile", "change")
def my_profile_edit(request):
    mentor = _load_profile(own_mentor_or_404(request.user, "change"))
    return _profile_form_page(
        request,
        mentor=mentor,
        coordinator=False,
        success_url=reverse("mentors:my_profile"),
        template_ctx={"back_url": reverse("mentors:my_profile")},
    )


@require_http_methods(["GET", "POST"])
@permission_required("mentor_profile", "view")
def my_declarations(request):
    """The mentor's declarations, and the form to add one (POST)."""
    if request.method == "POST" and not has_permission(request.user, "mentor_profile", "change"):
        raise PermissionDenied
    mentor = own_mentor_or_404(request.user, "change" if request.method == "POST" else "view")
    form = ConflictForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.conflict_declare(
                actor=request.user, mentor=mentor, request=request, **form.cleaned_data
            )
        except services.ProfileError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your declaration has been added.")
            return redirect("mentors:my_declarations")
    declarations = list(mentor.conflicts.all())
    if declarations:
        services.conflict_list_audit(actor=request.user, mentor=mentor, request=request)
    return render(
        request,
        "mentors/profile/declarations.html",
        {
            "form": form,
            "mentor": mentor,
            "active": [d for d in declarations if d.withdrawn_on is None],
            "withdrawn": [d for d in declarations if d.withdrawn_on is not None],
        },
    )


@permission_required("mentor_profile", "change")
@require_POST
def my_declaration_withdraw(request):
    mentor = own_mentor_or_404(request.user, "change")
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        raise Http404
    declaration = mentor.conflicts.filter(pk=form.cleaned_data["declaration"]).first()
    if declaration is None:
        raise Http404
    services.conflict_withdraw(actor=request.user, declaration=declaration, request=request)
    messages.success(request, "Your declaration has been withdrawn. It stays on your record.")
    return redirect("mentors:my_declarations")


@require_http_methods(["GET", "POST"])
@permission_required("mentor_profile", "view")
def my_code(request):
    if request.method == "POST" and not has_permission(request.user, "mentor_profile", "change"):
        raise PermissionDenied
    mentor = own_mentor_or_404(request.user, "change" if request.method == "POST" else "view")
    code = CodeOfConduct.objects.current()
    form = CodeAcceptForm(_posted(request))
    if request.method == "POST" and code is not None and form.is_valid():
        services.code_accept(actor=request.user, mentor=mentor, code=code, request=request)
        messages.success(
            request,
            f"Thank you: you have accepted the code of conduct (version {code.version}).",
        )
        return redirect("mentors:my_code")
    acceptance = mentor.acceptances.filter(code=code).first() if code else None
    earlier = mentor.acceptances.exclude(code=code).select_related("code")[:5] if code else []
    return render(
        request,
        "mentors/profile/code_of_conduct.html",
        {
            "form": form,
            "mentor": mentor,
            "code": code,
            "acceptance": acceptance,
            "earlier": earlier,
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("mentor_profile", "change")
def my_change_request(request):
    mentor = own_mentor_or_404(request.user, "change")
    form = ChangeRequestForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.change_request_create(
                actor=request.user, mentor=mentor, request=request, **form.cleaned_data
            )
        except services.ProfileError as error:
            form.add_error("field", str(error))
        else:
            messages.success(
                request,
                "Your request has been sent to a coordinator. You will get a notification "
                "when it has been decided.",
            )
            return redirect("mentors:my_profile")
    pending = list(mentor.change_requests.filter(status=ChangeRequestStatus.PENDING))
    return render(
        request,
        "mentors/profile/change_request.html",
        {"form": form, "mentor": mentor, "pending": pending},
    )


# Coordinators ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("mentor", "change")
def edit(request, pk: int):
    mentor = mentors.get_object_or_404(request.user, "change", queryset=_profile_queryset(), pk=pk)
    detail_url = url_if_installed("mentors:detail", pk=mentor.pk)
    return _profile_form_page(
        request,
        mentor=mentor,
        coordinator=True,
        success_url=detail_url or reverse("mentors:edit", kwargs={"pk": mentor.pk}),
        template_ctx={"back_url": detail_url, "tabs": mentor_tabs(request, mentor)},
    )


def _decide(request, form: DecisionForm):
    """Apply a valid decision; returns an error message, or None when it was applied."""
    reachable = mentors.queryset(request.user, "change")
    change = (
        ProfileChangeRequest.objects.filter(mentor__in=reachable)
        .select_related("mentor")
        .filter(pk=form.cleaned_data["request_id"])
        .first()
    )
    if change is None:
        raise Http404
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.change_request_decide(
            actor=request.user,
            change=change,
            approve=approve,
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except services.ProfileError as error:
        return str(error)
    label = change.get_field_display().lower()
    messages.success(
        request,
        f"You {'approved' if approve else 'rejected'} {change.mentor.full_name}'s request "
        f"to change their {label}.",
    )
    return None


@require_http_methods(["GET", "POST"])
@permission_required("mentor_pool", "view")
def change_requests(request):
    """The queue of changes mentors asked for; deciding needs mentor.change."""
    failed_form, failed_id = None, None
    if request.method == "POST":
        if not has_permission(request.user, "mentor", "change"):
            raise PermissionDenied
        form = DecisionForm(request.POST)
        if form.is_valid():
            error = _decide(request, form)
            if error is None:
                return redirect("mentors:change_requests")
            form.add_error(None, error)
        elif "request_id" in form.errors or "decision" in form.errors:
            raise Http404
        failed_form, failed_id = form, form.cleaned_data.get("request_id")

    pending = (
        ProfileChangeRequest.objects.filter(
            status=ChangeRequestStatus.PENDING,
            mentor__in=mentors.queryset(request.user, "view"),
        )
        .select_related("mentor")
        .order_by("requested_at", "pk")
    )
    page = Paginator(pending, CHANGE_REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    for change in shown:
        change.decision_form = failed_form if change.pk == failed_id else None
    if shown:
        # One transaction for the page's events: one commit, one hold of the
        # audit chain's head lock.
        with transaction.atomic():
            for change in shown:
                record_view(actor=request.user, obj=change, request=request)
    return render(
        request,
        "mentors/profile/change_requests.html",
        {
            "page": page,
            "requests": shown,
            "form": failed_form,
            "failed_id": failed_id,
            "can_decide": has_permission(request.user, "mentor", "change"),
            "today": timezone.localdate(),
        },
    )


urlpatterns = [
    path("me/", my_profile, name="my_profile"),
    path("me/edit/", my_profile_edit, name="my_profile_edit"),
    path("me/declarations/", my_declarations, name="my_declarations"),
    path("me/declarations/withdraw/", my_declaration_withdraw, name="my_declaration_withdraw"),
    path("me/code-of-conduct/", my_code, name="my_code"),
    path("me/change/", my_change_request, name="my_change_request"),
    path("<int:pk>/edit/", edit, name="edit"),
    path("change-requests/", change_requests, name="change_requests"),
]
