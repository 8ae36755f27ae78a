"""Sessions: the mentor's own list ("Your sessions"), a case's sessions (the mentor's
workspace, and the Sessions tab for coordinators and supervisors), one session's page,
its private notes, and logging, scheduling, recording, cancelling, moving and changing.

Everything is loaded through the meetings policies, so another mentor's session or
case answers 404. Each change goes through ``tandem.meetings.services``; a refusal comes
back on the same page with everything typed kept.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tandem.audit.services import record_view
from tandem.cases.navigation import case_tabs
from tandem.core.permissions import permission_required

from ..extensions import session_actions
from ..forms.sessions import (
    PRIVATE_NOTES_READERS,
    SUMMARY_READERS,
    CancelForm,
    HeldForm,
    MissedForm,
    PlanForm,
    RescheduleForm,
    ScheduleForm,
    warnings_digest,
)
from ..lifecycle import available_steps
from ..models import Session
from ..permissions import (
    case_advice,
    case_sessions,
    lone_working,
    meeting_briefs,
    private_notes,
    sessions,
)
from ..selectors import sessions as selectors
from ..selectors.advice import case_advice_summary
from ..selectors.claims import session_claim
from ..services import sessions as services
from ..services.advice import advice_list_audit

TEMPLATES = "meetings"
REFUSALS = (services.SessionRefused,)
NOTES_READERS = (
    "the mentor who wrote them, their supervisor and, if a safeguarding concern refers to "
    "this session, the safeguarding lead."
)


def _case(request, action: str, pk):
    return case_sessions.get_object_or_404(request.user, action, pk=pk)


def _session(request, action: str, pk, policy=sessions) -> Session:
    queryset = Session.objects.select_related("case", "mentor", "place_type", "match", "area")
    return policy.get_object_or_404(request.user, action, queryset=queryset, pk=pk)


def _own_match(request, case):
    """The user's working match on the case, or 404: only the mentor working with the
    person logs and schedules their sessions."""
    match = selectors.working_match_of(case, request.user)
    if match is None:
        raise Http404
    return match


def _when(when) -> str:
    return f"{timezone.localtime(when):%-d %B %Y at %H:%M}"


# Lists ---------------------------------------------------------------------------------


@require_GET
@permission_required("session", "view")
def my_sessions(request):
    mine = selectors.your_sessions(request.user)
    return render(request, f"{TEMPLATES}/my_sessions.html", {"mine": mine})


@require_GET
@permission_required("case_sessions", "view")
def case_sessions_view(request, pk: int):
    case = _case(request, "view", pk)
    page = selectors.case_sessions_page(
        case=case, user=request.user, page_number=request.GET.get("page")
    )
    match = selectors.working_match_of(case, request.user)
    workspace = selectors.workspace(case=case, match=match) if match is not None else None
    record_view(actor=request.user, obj=case, request=request, reason="sessions")
    advice = None
    if workspace is not None:
        if workspace.brief is not None:
            record_view(
                actor=request.user, obj=workspace.brief, request=request, reason="meeting brief"
            )
        if case_advice.has_object_permission(request.user, "view", case):
            advice = case_advice_summary(request.user, case)
            advice_list_audit(actor=request.user, case=case, request=request, reason="workspace")
    return render(
        request,
        f"{TEMPLATES}/case_sessions.html",
        {
            "case": case,
            "tabs": case_tabs(request, case),
            "page": page,
            "workspace": workspace,
            "advice": advice,
            "can_write_brief": meeting_briefs.has_object_permission(request.user, "change", case),
        },
    )


# One session ---------------------------------------------------------------------------


def _detail_page(request, session: Session, *, posted=None, status=200):
    user = request.user
    can_change = session.is_open and sessions.has_object_permission(user, "change", session)
    forms = {
        "missed_form": MissedForm(initial={"version": session.version}) if can_change else None,
        "cancel_form": CancelForm(initial={"version": session.version}) if can_change else None,
    }
    if posted is not None:
        forms[f"{posted.prefix}_form"] = posted
    record_view(actor=user, obj=session, request=request, reason="session")
    return render(
        request,
        f"{TEMPLATES}/session_detail.html",
        {
            "session": session,
            "case": session.case,
            "form": posted,
            **forms,
            "can_change": can_change,
            "has_started": session.starts_at <= timezone.now(),
            "steps": [s.name for s in available_steps(session.status)] if can_change else [],
            "can_read_notes": private_notes.has_object_permission(user, "view", session),
            "topics": [t.name for t in session.topics.all()],
            "is_mentor": session.mentor.user_id == user.pk,
            "can_open_case": case_sessions.has_object_permission(user, "view", session.case),
            "can_check_in": session.place_type.needs_lone_working
            and lone_working.has_object_permission(user, "change", session),
            "session_claim": session_claim(user, session),
            "extra_actions": session_actions(user, session),
        },
        status=status,
    )


@require_GET
@permission_required("session", "view")
def session_detail(request, pk: int):
    return _detail_page(request, _session(request, "view", pk))


@require_GET
@permission_required("session_private_notes", "view")
def session_notes(request, pk: int):
    session = _session(request, "view", pk, policy=private_notes)
    record_view(actor=request.user, obj=session, request=request, reason="private notes")
    return render(
        request,
        f"{TEMPLATES}/session_notes.html",
        {"session": session, "case": session.case, "readers": NOTES_READERS},
    )


# Logging what happened -----------------------------------------------------------------


def _held_initial(case, session: Session | None = None) -> dict:
    plan = selectors.plan_of(case)
    initial = {
        "date": timezone.localdate().strftime("%d/%m/%Y"),
        "duration_minutes": 60,
        "travel_minutes": 0,
        "approach": plan.approach if plan else None,
        "style": plan.intended_style if plan else None,
    }
    if session is not None:
        local = timezone.localtime(session.starts_at)
        others = [
            name
            for name, present in (
                ("family", session.family_present),
                ("professional", session.professional_present),
            )
            if present
        ]
        initial.update(
            date=local.strftime("%d/%m/%Y"),
            start_time=local.strftime("%H:%M"),
            duration_minutes=session.duration_minutes,
            travel_minutes=session.travel_minutes,
            place_type=session.place_type_id,
            others=others,
            version=session.version,
        )
    return initial


def _held_page(request, *, case, form, session=None):
    return render(
        request,
        f"{TEMPLATES}/held_form.html",
        {
            "case": case,
            "session": session,
            "form": form,
            "private_readers": PRIVATE_NOTES_READERS,
            "summary_readers": SUMMARY_READERS,
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("case_sessions", "log")
def session_log(request, pk: int):
    """Log a session that was never planned, as held."""
    case = _case(request, "log", pk)
    match = _own_match(request, case)
    if request.method == "GET":
        return _held_page(request, case=case, form=HeldForm(initial=_held_initial(case)))
    form = HeldForm(request.POST)
    if form.is_valid():
        try:
            session = services.session_log_held(
                actor=request.user,
                match=match,
                arrangements=form.arrangements(),
                what=form.what_happened(),
                request=request,
            )
        except REFUSALS as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, f"The session of {_when(session.starts_at)} is recorded.")
            return redirect("meetings:case_sessions", pk=case.pk)
    return _held_page(request, case=case, form=form)


@require_http_methods(["GET", "POST"])
@permission_required("session", "change")
def session_record(request, pk: int):
    """Record a planned session as held."""
    session = _session(request, "change", pk)
    if not session.is_open:
        return redirect("meetings:session_detail", pk=session.pk)
    if request.method == "GET":
        form = HeldForm(initial=_held_initial(session.case, session))
        return _held_page(request, case=session.case, form=form, session=session)
    form = HeldForm(request.POST)
    if form.is_valid():
        try:
            services.session_record_held(
                actor=request.user,
                session=session,
                expected_version=form.cleaned_data["version"],
                arrangements=form.arrangements(),
                what=form.what_happened(),
                request=request,
            )
        except REFUSALS as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "The session is recorded as held.")
            return redirect("meetings:case_sessions", pk=session.case_id)
    return _held_page(request, case=session.case, form=form, session=session)


def _act(request, pk: int, form_class, perform):
    """A POST from the session page; a GET goes to the session page."""
    session = _session(request, "change", pk)
    if request.method == "GET":
        return redirect("meetings:session_detail", pk=session.pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            message = perform(session, form.cleaned_data)
        except REFUSALS as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, message)
            return redirect("meetings:session_detail", pk=session.pk)
    return _detail_page(request, _session(request, "view", pk), posted=form)


@require_http_methods(["GET", "POST"])
@permission_required("session", "change")
def session_missed(request, pk: int):
    def perform(session, data):
        services.session_record_missed(
            actor=request.user, session=session, expected_version=data["version"], request=request
        )
        return "Recorded: the person did not attend."

    return _act(request, pk, MissedForm, perform)


@require_http_methods(["GET", "POST"])
@permission_required("session", "change")
def session_cancel(request, pk: int):
    def perform(session, data):
        services.session_cancel(
            actor=request.user,
            session=session,
            expected_version=data["version"],
            cancelled_by=data["cancelled_by"],
            request=request,
        )
        return "The session is cancelled."

    return _act(request, pk, CancelForm, perform)


# Planning ------------------------------------------------------------------------------


def _plan_page(request, template: str, **context):
    return render(request, f"{TEMPLATES}/{template}", context)


def _planned(form, plan):
    """Plan with ``plan(acknowledged)``; when planning warnings stop it, plan again with
    them acknowledged if the mentor confirmed exactly those. Returns what ``plan``
    returned, or None with the warnings put on the form for the mentor to confirm."""
    try:
        return plan(())
    except services.PlanningWarnings as warned:
        if form.confirms(warned.warnings):
            return plan(warned.warnings)
        form.planning_warnings = warned.warnings
        data = form.data.copy()
        data["warnings_seen"] = warnings_digest(warned.warnings)
        form.data = data
        return None


@require_http_methods(["GET", "POST"])
@permission_required("case_sessions", "log")
def session_schedule(request, pk: int):
    case = _case(request, "log", pk)
    match = _own_match(request, case)
    if request.method == "GET":
        suggested = timezone.localtime(selectors.suggested_next(match=match))
        latest_place = (
            Session.objects.filter(match=match, place_type__is_active=True)
            .order_by("-starts_at")
            .values_list("place_type_id", "duration_minutes")
            .first()
        )
        form = ScheduleForm(
            initial={
                "date": suggested.strftime("%d/%m/%Y"),
                "start_time": suggested.strftime("%H:%M"),
                "duration_minutes": latest_place[1] if latest_place else 60,
                "place_type": latest_place[0] if latest_place else None,
                "repeat": "once",
                "count": 1,
            }
        )
        return _plan_page(request, "schedule.html", case=case, form=form)
    form = ScheduleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            made = _planned(
                form,
                lambda acknowledged: services.session_schedule(
                    actor=request.user,
                    match=match,
                    arrangements=form.arrangements(),
                    repeat=data["repeat"],
                    count=data["count"],
                    acknowledged_warnings=acknowledged,
                    request=request,
                ),
            )
        except REFUSALS as refusal:
            form.add_error(None, str(refusal))
        else:
            if made is None:
                return _plan_page(request, "schedule.html", case=case, form=form)
            first = _when(made[0].starts_at)
            messages.success(
                request,
                f"The session on {first} is planned."
                if len(made) == 1
                else f"{len(made)} sessions are planned, the first on {first}.",
            )
            return redirect("meetings:case_sessions", pk=case.pk)
    return _plan_page(request, "schedule.html", case=case, form=form)


@require_http_methods(["GET", "POST"])
@permission_required("session", "change")
def session_edit(request, pk: int):
    session = _session(request, "change", pk)
    if not session.is_open:
        return redirect("meetings:session_detail", pk=session.pk)
    if request.method == "GET":
        local = timezone.localtime(session.starts_at)
        form = PlanForm(
            initial={
                "date": local.strftime("%d/%m/%Y"),
                "start_time": local.strftime("%H:%M"),
                "duration_minutes": session.duration_minutes,
                "place_type": session.place_type_id,
                "area": session.area_id,
                "others_expected": session.others_expected or "",
                "version": session.version,
            }
        )
        return _plan_page(request, "edit.html", case=session.case, session=session, form=form)
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            changed = _planned(
                form,
                lambda acknowledged: services.session_edit(
                    actor=request.user,
                    session=session,
                    expected_version=form.cleaned_data["version"],
                    arrangements=form.arrangements(session),
                    acknowledged_warnings=acknowledged,
                    request=request,
                ),
            )
        except REFUSALS as refusal:
            form.add_error(None, str(refusal))
        else:
            if changed is None:
                return _plan_page(
                    request, "edit.html", case=session.case, session=session, form=form
                )
            messages.success(request, "The planned session is changed.")
            return redirect("meetings:session_detail", pk=session.pk)
    return _plan_page(request, "edit.html", case=session.case, session=session, form=form)


@require_http_methods(["GET", "POST"])
@permission_required("session", "change")
def session_reschedule(request, pk: int):
    session = _session(request, "change", pk)
    if not session.is_open:
        return redirect("meetings:session_detail", pk=session.pk)
    if request.method == "GET":
        form = RescheduleForm(initial={"version": session.version})
        return _plan_page(request, "reschedule.html", case=session.case, session=session, form=form)
    form = RescheduleForm(request.POST)
    if form.is_valid():
        try:
            new = services.session_reschedule(
                actor=request.user,
                session=session,
                expected_version=form.cleaned_data["version"],
                starts_at=form.starts_at(),
                request=request,
            )
        except REFUSALS as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, f"The session is moved to {_when(new.starts_at)}.")
            return redirect("meetings:session_detail", pk=new.pk)
    return _plan_page(request, "reschedule.html", case=session.case, session=session, form=form)


urlpatterns = [
    path("", my_sessions, name="my_sessions"),
    path("cases/<int:pk>/", case_sessions_view, name="case_sessions"),
    path("cases/<int:pk>/log/", session_log, name="session_log"),
    path("cases/<int:pk>/schedule/", session_schedule, name="session_schedule"),
    path("sessions/<int:pk>/", session_detail, name="session_detail"),
    path("sessions/<int:pk>/notes/", session_notes, name="session_notes"),
    path("sessions/<int:pk>/record/", session_record, name="session_record"),
    path("sessions/<int:pk>/missed/", session_missed, name="session_missed"),
    path("sessions/<int:pk>/cancel/", session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/change/", session_edit, name="session_edit"),
    path("sessions/<int:pk>/move/", session_reschedule, name="session_reschedule"),
]
