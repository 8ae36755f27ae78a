"""The rehabilitation pathway's pages: a case's Rehabilitation tab and the forms that
change it, the visit booking of a session in custody, the coordinators' overview and the
policy. Thin: load through the policies (404 for what the user may not see), validate,
call a service, redirect or render; a refusal comes back with everything typed kept."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tandem.audit.services import record_view
from tandem.cases.models import Case, Pathway
from tandem.cases.navigation import case_tabs
from tandem.core.permissions import permission_required
from tandem.meetings.models import Session

from . import services
from .forms import ConditionEndForm, ConditionForm, DetailsForm, PanelForm, PolicyForm, VisitForm
from .models import (
    CustodyVisit,
    LicenceCondition,
    PanelMeeting,
    RehabilitationPolicy,
    RehabilitationRecord,
)
from .permissions import case_rehabilitation, custody_visits
from .rules import PANEL_SOURCE, panel_hold_reason
from .selectors import first_meeting_after_release
from .selectors import overview as overview_of

TEMPLATES = "rehabilitation"
REFUSED = (services.RehabilitationRefused,)


def _posted(request):
    return request.POST if request.method == "POST" else None


def _case(request, action: str, pk: int) -> Case:
    return case_rehabilitation.get_object_or_404(
        request.user, action, queryset=Case.objects.select_related("referral_source"), pk=pk
    )


def _record(case: Case) -> RehabilitationRecord | None:
    return RehabilitationRecord.objects.filter(case=case).select_related("updated_by").first()


# A case's Rehabilitation tab -----------------------------------------------------------


@require_GET
@permission_required("case_rehabilitation", "view")
def case_view(request, pk: int):
    case = _case(request, "view", pk)
    record = _record(case)
    conditions = list(LicenceCondition.objects.filter(case=case).select_related("case", "area"))
    visits = list(
        CustodyVisit.objects.filter(case=case)
        .select_related("case", "session")
        .order_by("-session__starts_at")
    )
    meetings = list(PanelMeeting.objects.filter(case=case).select_related("case", "recorded_by"))
    record_view(actor=request.user, obj=case, request=request, reason="rehabilitation")
    return render(
        request,
        f"{TEMPLATES}/case.html",
        {
            "case": case,
            "tabs": case_tabs(request, case),
            "record": record,
            "current_conditions": [c for c in conditions if c.is_current],
            "ended_conditions": [c for c in conditions if not c.is_current],
            "visits": visits,
            "panel_meetings": meetings,
            "first_meeting": first_meeting_after_release(record) if record else None,
            "panel_route": case.referral_source.code == PANEL_SOURCE,
            "hold": panel_hold_reason(case),
            "can_change": case_rehabilitation.has_object_permission(request.user, "change", case),
            "is_rehabilitation": case.pathway == Pathway.REHABILITATION,
        },
    )


def _refusal_page(request, template: str, form, refusal, **context):
    form.add_error(None, str(refusal))
    return render(request, f"{TEMPLATES}/{template}", {"form": form, **context})


@require_http_methods(["GET", "POST"])
@permission_required("case_rehabilitation", "change")
def details_edit(request, pk: int):
    case = _case(request, "change", pk)
    record = _record(case)
    initial = {}
    if record is not None:
        initial = {
            "version": record.version,
            "custody_status": record.custody_status,
            "establishment": record.establishment,
            "expected_release_date": record.expected_release_date,
            "licence_end_date": record.licence_end_date,
            "offender_manager_name": record.offender_manager_name,
            "offender_manager_contact": record.offender_manager_contact,
            "protection_level": record.protection_level,
        }
    if request.method == "GET":
        record_view(actor=request.user, obj=case, request=request, reason="rehabilitation")
    form = DetailsForm(_posted(request), initial=initial)
    context = {"case": case, "record": record}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.details_save(
                actor=request.user,
                case=case,
                details=services.Details(
                    custody_status=data["custody_status"],
                    establishment=data["establishment"],
                    expected_release_date=data["expected_release_date"],
                    licence_end_date=data["licence_end_date"],
                    offender_manager_name=data["offender_manager_name"],
                    offender_manager_contact=data["offender_manager_contact"],
                    protection_level=data["protection_level"],
                ),
                expected_version=data["version"] if record is not None else None,
                request=request,
            )
        except REFUSED as refusal:
            return _refusal_page(request, "details_form.html", form, refusal, **context)
        messages.success(request, "The rehabilitation details are saved.")
        return redirect("rehabilitation:case", pk=case.pk)
    return render(request, f"{TEMPLATES}/details_form.html", {"form": form, **context})


@require_http_methods(["GET", "POST"])
@permission_required("case_rehabilitation", "change")
def condition_add(request, pk: int):
    case = _case(request, "change", pk)
    form = ConditionForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.condition_add(
                actor=request.user,
                case=case,
                kind=data["kind"],
                area=data["area"],
                names=data["names"],
                details=data["details"],
                request=request,
            )
        except REFUSED as refusal:
            return _refusal_page(request, "condition_form.html", form, refusal, case=case)
        messages.success(request, "The licence condition is added.")
        return redirect("rehabilitation:case", pk=case.pk)
    return render(request, f"{TEMPLATES}/condition_form.html", {"form": form, "case": case})


@require_http_methods(["GET", "POST"])
@permission_required("case_rehabilitation", "change")
def condition_end(request, pk: int, condition_pk: int):
    case = _case(request, "change", pk)
    condition = (
        LicenceCondition.objects.filter(case=case, pk=condition_pk)
        .select_related("case", "area")
        .first()
    )
    if condition is None:
        raise Http404
    if not condition.is_current:
        messages.info(request, "That condition has already ended.")
        return redirect("rehabilitation:case", pk=case.pk)
    form = ConditionEndForm(
        _posted(request), initial={"ended_on": timezone.localdate().strftime("%d/%m/%Y")}
    )
    context = {"case": case, "condition": condition}
    if request.method == "POST" and form.is_valid():
        try:
            services.condition_end(
                actor=request.user,
                condition=condition,
                ended_on=form.cleaned_data["ended_on"],
                request=request,
            )
        except REFUSED as refusal:
            return _refusal_page(request, "condition_end.html", form, refusal, **context)
        messages.success(request, "The licence condition is recorded as ended.")
        return redirect("rehabilitation:case", pk=case.pk)
    return render(request, f"{TEMPLATES}/condition_end.html", {"form": form, **context})


# The multi-agency panel ----------------------------------------------------------------


def _review_weeks() -> int:
    return RehabilitationPolicy.current().panel_review_weeks


def _panel_answers(data, *, kind: str) -> services.PanelAnswers:
    return services.PanelAnswers(
        kind=kind,
        met_on=data["met_on"],
        decision=data.get("decision") or "",
        agencies_present=data.get("agencies_present") or "",
        actions=data.get("actions") or "",
        signposted_to=data.get("signposted_to") or "",
    )


@require_http_methods(["GET", "POST"])
@permission_required("case_rehabilitation", "change")
def panel_add(request, pk: int):
    case = _case(request, "change", pk)
    form = PanelForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.panel_record(
                actor=request.user,
                case=case,
                answers=_panel_answers(form.cleaned_data, kind=form.cleaned_data["kind"]),
                request=request,
            )
        except REFUSED as refusal:
            return _refusal_page(
                request,
                "panel_form.html",
                form,
                refusal,
                case=case,
                review_weeks=_review_weeks(),
            )
        messages.success(request, "The panel meeting is recorded.")
        return redirect("rehabilitation:case", pk=case.pk)
    return render(
        request,
        f"{TEMPLATES}/panel_form.html",
        {"form": form, "case": case, "review_weeks": _review_weeks()},
    )


@require_http_methods(["GET", "POST"])
@permission_required("case_rehabilitation", "change")
def panel_decide(request, pk: int, meeting_pk: int):
    case = _case(request, "change", pk)
    meeting = PanelMeeting.objects.filter(case=case, pk=meeting_pk).select_related("case").first()
    if meeting is None:
        raise Http404
    if meeting.decision:
        messages.info(request, "The panel's decision on that meeting is already recorded.")
        return redirect("rehabilitation:case", pk=case.pk)
    form = PanelForm(
        _posted(request),
        deciding=True,
        initial={
            "met_on": meeting.met_on.strftime("%d/%m/%Y"),
            "agencies_present": meeting.agencies_present,
            "actions": meeting.actions,
        },
    )
    context = {"case": case, "meeting": meeting, "review_weeks": _review_weeks()}
    if request.method == "POST" and form.is_valid():
        try:
            services.panel_decide(
                actor=request.user,
                meeting=meeting,
                answers=_panel_answers(form.cleaned_data, kind=meeting.kind),
                request=request,
            )
        except REFUSED as refusal:
            return _refusal_page(request, "panel_form.html", form, refusal, **context)
        messages.success(request, "The panel's decision is recorded.")
        return redirect("rehabilitation:case", pk=case.pk)
    return render(request, f"{TEMPLATES}/panel_form.html", {"form": form, **context})


# A visit in custody --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("custody_visit", "change")
def visit(request, pk: int):
    session = custody_visits.get_object_or_404(
        request.user,
        "change",
        queryset=Session.objects.select_related("case", "place_type"),
        pk=pk,
    )
    existing = CustodyVisit.objects.filter(session=session).select_related("case").first()
    if existing is not None:
        initial = {
            "version": existing.version,
            "establishment": existing.establishment,
            "booking_reference": existing.booking_reference,
            "booked_on": existing.booked_on.strftime("%d/%m/%Y"),
        }
    else:
        record = RehabilitationRecord.objects.filter(case=session.case).first()
        initial = {
            "establishment": record.establishment if record else "",
            "booked_on": timezone.localdate().strftime("%d/%m/%Y"),
        }
    form = VisitForm(_posted(request), initial=initial)
    context = {"session": session, "case": session.case, "existing": existing}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.visit_save(
                actor=request.user,
                session=session,
                establishment=data["establishment"],
                booking_reference=data["booking_reference"],
                booked_on=data["booked_on"],
                expected_version=data["version"] if existing else None,
                request=request,
            )
        except REFUSED as refusal:
            return _refusal_page(request, "visit_form.html", form, refusal, **context)
        messages.success(request, "The visit booking is saved.")
        return redirect("meetings:session_detail", pk=session.pk)
    return render(request, f"{TEMPLATES}/visit_form.html", {"form": form, **context})


# Coordinators: the overview and the policy ---------------------------------------------


@require_GET
@permission_required("rehabilitation_overview", "view")
def overview_view(request):
    return render(
        request,
        f"{TEMPLATES}/overview.html",
        {"overview": overview_of(), "policy": RehabilitationPolicy.current()},
    )


@require_http_methods(["GET", "POST"])
@permission_required("rehabilitation_policy", "change")
def policy_view(request):
    current = RehabilitationPolicy.current()
    form = PolicyForm(
        _posted(request),
        initial={name: getattr(current, name) for name in services.POLICY_FIELDS},
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.policy_update(
                actor=request.user, data=form.cleaned_data, request=request
            )
        except REFUSED as refusal:
            return _refusal_page(request, "policy.html", form, refusal)
        messages.success(
            request, "The policy is saved." if changed else "Nothing was changed in the policy."
        )
        return redirect("rehabilitation:overview")
    return render(request, f"{TEMPLATES}/policy.html", {"form": form})


urlpatterns = [
    path("", overview_view, name="overview"),
    path("policy/", policy_view, name="policy"),
    path("cases/<int:pk>/", case_view, name="case"),
    path("cases/<int:pk>/details/", details_edit, name="details"),
    path("cases/<int:pk>/conditions/add/", condition_add, name="condition_add"),
    path("cases/<int:pk>/conditions/<int:condition_pk>/end/", condition_end, name="condition_end"),
    path("cases/<int:pk>/panel/add/", panel_add, name="panel_add"),
    path("cases/<int:pk>/panel/<int:meeting_pk>/decision/", panel_decide, name="panel_decide"),
    path("sessions/<int:pk>/visit/", visit, name="visit"),
]
