"""Supervision's pages: thin views over the policies, forms, services and selectors."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tandem.audit.services import record_view
from tandem.cases.models import Case
from tandem.core.dates import long_date
from tandem.core.filters import By, sort_list
from tandem.core.permissions import permission_required
from tandem.matching.models import WORKING
from tandem.mentors.models import AccreditationLevel
from tandem.mentors.navigation import mentor_tabs

from .. import services
from ..forms import (
    DueFilterForm,
    SupervisionPolicyForm,
    SupervisionRecordForm,
    SupervisorForm,
    WellbeingForm,
)
from ..models import LevelRule, SupervisionPolicy, SupervisionRecord
from ..permissions import (
    own_supervision,
    supervision,
    supervision_actions,
    supervision_notes_of_mentor,
    supervision_record,
    supervision_records,
    supervisor_assignment,
    wellbeing,
)
from ..selectors import due_rows, mentor_supervision, oversight_rows, supervision_due
from ..wellbeing import ITEMS


def _mentor(request, policy, action: str, pk: int):
    return policy.get_object_or_404(request.user, action, pk=pk)


# The supervisor's oversight ---------------------------------------------------------------


@require_GET
@permission_required("supervision_oversight", "view")
def oversight(request):
    rows = oversight_rows(request.user)
    return render(
        request,
        "supervision/oversight.html",
        {"rows": rows, "concerns_known": any(r.concerns is not None for r in rows)},
    )


# Supervision due across the scheme (coordinators) ---------------------------------------

DUE_PAGE_SIZE = 50
# The list's server-side orders: most pressing first (the default), or last. Names are
# encrypted, so the mentor column sorts only the page shown, in the browser.
DUE_ORDERS = {"due": By(), "due_desc": By(reverse=True)}
DUE_COLUMNS = [("Mentor", None), ("Next supervision", ("due", "due_desc"))]


@require_GET
@permission_required("supervision_due", "view")
def due(request):
    form = DueFilterForm(request.GET if "within" in request.GET else None)
    within = form.within_days()
    listing = supervision_due(within_days=within)
    ordered = sort_list(request, listing.rows, orderings=DUE_ORDERS, columns=DUE_COLUMNS)
    page = Paginator(ordered.items, DUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/due.html",
        {
            "form": form,
            "within": within,
            "listing": listing,
            "page": page,
            "rows": due_rows(list(page.object_list)),
            "headers": ordered.headers,
        },
    )


# A mentor's supervision -------------------------------------------------------------------


def _mentor_page(request, mentor):
    reads_notes = supervision_notes_of_mentor.has_object_permission(request.user, "view", mentor)
    reads_wellbeing = wellbeing.has_object_permission(request.user, "view", mentor)
    data = mentor_supervision(mentor, with_wellbeing=reads_wellbeing, with_actions=reads_notes)
    return render(
        request,
        "supervision/mentor.html",
        {
            "mentor": mentor,
            "tabs": mentor_tabs(request, mentor),
            "data": data,
            "today": timezone.localdate(),
            "reads_notes": reads_notes,
            "reads_wellbeing": reads_wellbeing,
            "can_record": supervision_record.has_object_permission(request.user, "create", mentor)
            and mentor.supervisor_id == request.user.pk,
            "can_assign": supervisor_assignment.has_object_permission(
                request.user, "change", mentor
            ),
            "is_mentor": mentor.user_id == request.user.pk,
        },
    )


@require_GET
@permission_required("supervision", "view")
def mentor_page(request, pk: int):
    return _mentor_page(request, _mentor(request, supervision, "view", pk))


@require_GET
@permission_required("own_supervision", "view")
def mine(request):
    mentor = own_supervision.get_object_or_404(request.user, "view", user_id=request.user.pk)
    return _mentor_page(request, mentor)


# Assignment -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("supervisor_assignment", "change")
def assign(request, pk: int):
    mentor = _mentor(request, supervisor_assignment, "change", pk)
    supervisors = services.eligible_supervisors().order_by("full_name", "email")
    if mentor.user_id:
        supervisors = supervisors.exclude(pk=mentor.user_id)
    form = SupervisorForm(
        request.POST if request.method == "POST" else None,
        supervisors=supervisors,
        initial={"supervisor": mentor.supervisor_id},
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["supervisor"]
        try:
            done = services.supervisor_assign(
                actor=request.user, mentor=mentor, supervisor=chosen, request=request
            )
        except services.SupervisionRefused as refusal:
            form.add_error("supervisor", str(refusal))
        else:
            if done is None:
                messages.info(request, "Nothing was changed: that is already their supervisor.")
            elif chosen is None:
                messages.success(request, f"{mentor.full_name} has no supervisor now.")
            else:
                messages.success(request, f"{chosen.full_name} now supervises {mentor.full_name}.")
            return redirect("supervision:mentor", pk=mentor.pk)
    data = mentor_supervision(mentor, with_wellbeing=False, with_actions=False)
    return render(
        request,
        "supervision/assign.html",
        {"mentor": mentor, "tabs": mentor_tabs(request, mentor), "form": form, "data": data},
    )


# Policy -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("supervision_policy", "change")
def policy(request):
    current = SupervisionPolicy.current()
    levels = list(AccreditationLevel.objects.order_by("rank"))
    rules = {r.level_id: r for r in LevelRule.objects.all()}
    initial = {
        "reminder_days": current.reminder_days,
        "debrief_days": current.debrief_days,
        "low_wellbeing_total": current.low_wellbeing_total,
    }
    for level in levels:
        rule = rules.get(level.pk)
        if rule is not None:
            initial |= {
                f"weeks_{level.pk}": rule.frequency_weeks,
                f"format_{level.pk}": rule.format,
                f"cap_{level.pk}": rule.caseload_cap,
            }
    form = SupervisionPolicyForm(
        request.POST if request.method == "POST" else None, levels=levels, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        changed = services.supervision_policy_update(
            actor=request.user,
            data=form.policy_data(),
            levels=form.level_data(),
            request=request,
        )
        if changed:
            messages.success(request, "The supervision policy is saved.")
        else:
            messages.info(request, "Nothing was changed in the supervision policy.")
        return redirect("supervision:policy")
    return render(request, "supervision/policy.html", {"form": form})


# Records ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("supervision_record", "create")
def record_create(request, pk: int):
    mentor = _mentor(request, supervision_record, "create", pk)
    if mentor.supervisor_id != request.user.pk:
        raise Http404
    cases = Case.objects.filter(matches__mentor=mentor, matches__status__in=WORKING).distinct()
    form = SupervisionRecordForm(
        request.POST if request.method == "POST" else None,
        cases=cases.order_by("reference"),
        initial={"kind": "individual"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            record = services.supervision_record(
                actor=request.user,
                mentor=mentor,
                held_on=form.cleaned_data["held_on"],
                kind=form.cleaned_data["kind"],
                cases=form.cleaned_data["cases"],
                notes=form.notes(),
                actions=form.actions(),
                request=request,
            )
        except services.SupervisionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                f"The supervision of {mentor.full_name} on {long_date(record.held_on)} "
                "is recorded.",
            )
            return redirect("supervision:mentor", pk=mentor.pk)
    return render(
        request,
        "supervision/record_form.html",
        {"mentor": mentor, "form": form, "no_cases": not cases.exists()},
    )


@require_GET
@permission_required("supervision_notes", "view")
def record_detail(request, pk: int):
    record = supervision_records.get_object_or_404(
        request.user,
        "view",
        SupervisionRecord.objects.select_related("mentor", "supervisor"),
        pk=pk,
    )
    record_view(actor=request.user, obj=record, request=request)
    return render(
        request,
        "supervision/record_detail.html",
        {
            "record": record,
            "mentor": record.mentor,
            "cases": list(record.cases.order_by("reference")),
            "actions": list(record.actions.select_related("mentor")),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("supervision_action", "change")
def action_done(request, pk: int):
    action = supervision_actions.get_object_or_404(
        request.user, "change", supervision_actions.model.objects.select_related("mentor"), pk=pk
    )
    target = reverse("supervision:record", kwargs={"pk": action.record_id})
    if request.method == "GET":
        return redirect(target)
    if services.supervision_action_complete(actor=request.user, action=action, request=request):
        messages.success(request, "The action is marked as done.")
    else:
        messages.info(request, "That action was already done.")
    return redirect(target)


# Wellbeing --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("wellbeing", "create")
def wellbeing_check_in(request):
    mentor = wellbeing.get_object_or_404(request.user, "create", user_id=request.user.pk)
    form = WellbeingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            checkin = services.wellbeing_check_in(
                actor=request.user,
                mentor=mentor,
                answers=form.answers(),
                wants_to_talk=form.cleaned_data["wants_to_talk"],
                request=request,
            )
        except (services.SupervisionRefused, ValidationError) as refusal:
            form.add_error(None, getattr(refusal, "message", str(refusal)))
        else:
            if checkin.is_low or checkin.wants_to_talk:
                messages.success(
                    request,
                    "Thank you. Your supervisor has been asked to get in touch with you.",
                )
            else:
                messages.success(request, "Thank you. Your check-in is saved.")
            return redirect("supervision:mine")
    return render(request, "supervision/wellbeing.html", {"form": form, "items": ITEMS})


urlpatterns = [
    path("", oversight, name="oversight"),
    path("policy/", policy, name="policy"),
    path("due/", due, name="due"),
    path("mine/", mine, name="mine"),
    path("wellbeing/", wellbeing_check_in, name="wellbeing"),
    path("mentors/<int:pk>/", mentor_page, name="mentor"),
    path("mentors/<int:pk>/supervisor/", assign, name="assign"),
    path("mentors/<int:pk>/record/", record_create, name="record_create"),
    path("records/<int:pk>/", record_detail, name="record"),
    path("actions/<int:pk>/done/", action_done, name="action_done"),
]
