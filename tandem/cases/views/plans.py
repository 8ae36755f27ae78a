"""A case's support plan with its Goal Attainment Scaling goals, the reviews that score
them, closure and the follow-ups after it; and the coordinators' lists of reviews and
follow-ups that are due.

Case pages load the case through the case_plan policy (404 for a case the user may not
see); pages that show the plan's encrypted text record the view in the audit log.
Forms carry the case's version: a form posted from a stale page is refused, shown
again with everything typed, and carries the current version so that sending it again
is a deliberate choice.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tandem.audit.services import record_view
from tandem.core.dates import long_date
from tandem.core.permissions import permission_required

from .. import defaults
from ..forms.plans import (
    LEVEL_LABELS,
    LEVELS,
    CloseForm,
    FollowUpForm,
    GoalForm,
    PlanForm,
    ReviewForm,
    StartClosingForm,
    VersionedForm,
)
from ..lifecycle import ACTIONS
from ..models import STYLE_SCALE, Case, CaseStatus, FollowUp, Goal, GoalScore, Review, SupportPlan
from ..navigation import case_tabs
from ..permissions import case_assessments, case_plans
from ..services import plans as services
from ..services.lifecycle import CaseConflict, LifecycleRefused, case_act

TEMPLATES = "cases/plans"
PAGE_SIZE = 25
START_CLOSING = ACTIONS["start_closing"]


# Helpers -------------------------------------------------------------------------------


def _posted(request):
    """The posted data, even when empty (an empty POST is still a submission)."""
    return request.POST if request.method == "POST" else None


def _plan_of(case: Case) -> SupportPlan | None:
    try:
        return case.plan
    except SupportPlan.DoesNotExist:
        return None


def _case(request, pk: int, action: str, queryset=None) -> Case:
    return case_plans.get_object_or_404(request.user, action, queryset=queryset, pk=pk)


def _audit_view(request, case: Case, reason: str) -> None:
    with transaction.atomic():
        record_view(actor=request.user, obj=case, request=request, reason=reason)


def _id_from(value) -> int | None:
    """A record id from the query string or a form, or None for anything else."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10:
        return int(value)
    return None


def _refused(form: VersionedForm, case: Case, error: Exception) -> None:
    """Show a refusal on the form. After a stale-form refusal the form carries the
    case's current version, keeping everything typed."""
    if isinstance(error, CaseConflict):
        case.refresh_from_db(fields=["version", "status", "next_review_due"])
        form.seen_version(case)
    form.add_error(None, str(error))


def _plan_url(case: Case) -> str:
    return reverse("cases:plan", kwargs={"pk": case.pk})


def _done(request, case: Case, message: str):
    messages.success(request, message)
    return redirect("cases:plan", pk=case.pk)


def plan_open_status(case: Case) -> bool:
    return case.status in services.PLAN_STATUSES


def _status_label(case: Case) -> str:
    return CaseStatus(case.status).label.lower()


def _blocked(case: Case, *, has_plan: bool = True, has_goals: bool = True) -> str:
    """Why the plan's forms are not offered for ``case``; empty when they are."""
    if not plan_open_status(case):
        return (
            f"{case.reference} is {_status_label(case)}. The plan, its goals and reviews "
            "can be changed from assessment until the case ends."
        )
    if not has_plan:
        return "Write the support plan first."
    if not has_goals:
        return "Add at least one goal to the plan before recording a review."
    return ""


# The plan page -------------------------------------------------------------------------


def _review_rows(case: Case, goals: list[Goal]) -> list[dict]:
    """Reviews newest first, each with its scores in the order of the plan's goals."""
    reviews = list(Review.objects.filter(case=case).select_related("reviewer"))
    by_goal = {goal.pk: goal for goal in goals}
    scores: dict[int, list[GoalScore]] = {}
    for score in GoalScore.objects.filter(review__case=case).only("review_id", "goal_id", "score"):
        if score.goal_id in by_goal:
            score.goal = by_goal[score.goal_id]
            score.level_label = LEVEL_LABELS[score.score]
            scores.setdefault(score.review_id, []).append(score)
    rows = []
    for review in reviews:
        review.case = case
        ordered = sorted(scores.get(review.pk, []), key=lambda s: (s.goal.position, s.goal.pk))
        rows.append({"review": review, "scores": ordered})
    return rows


def _reassessment_pending(case: Case, latest: Review | None) -> bool:
    """Whether the latest review asked for a reassessment that has not happened since."""
    if latest is None or not latest.reassessment_needed:
        return False
    return not case.assessments.filter(created_at__gt=latest.created_at).exists()


def _reassessment_link(request, case: Case) -> str:
    """Where to start a reassessment, for a user who may assess the case."""
    if not case_assessments.has_object_permission(request.user, "change", case):
        return ""
    try:
        return reverse("assessments:create", kwargs={"pk": case.pk})
    except NoReverseMatch:  # assessments not installed
        return ""


def _follow_up_state(follow_up: FollowUp, today: dt.date) -> tuple[str, str]:
    """A GOV.UK tag (text, colour) for a follow-up."""
    if follow_up.completed_on:
        return "Done", "green"
    if follow_up.due_on < today:
        return "Overdue", "red"
    if follow_up.due_on <= today + dt.timedelta(days=services.DUE_SOON_DAYS):
        return "Due", "orange"
    return "Scheduled", "grey"


@require_GET
@permission_required("case_plan", "view")
def plan(request, pk: int):
    case = _case(
        request,
        pk,
        "view",
        Case.objects.select_related("plan", "plan__updated_by", "closed_by"),
    )
    support_plan = _plan_of(case)
    if support_plan is not None:
        support_plan.case = case
    today = timezone.localdate()
    goals = list(case.goals.all())
    reviews = _review_rows(case, goals)
    latest = reviews[0]["review"] if reviews else None
    reassessment_pending = plan_open_status(case) and _reassessment_pending(case, latest)
    follow_ups = [
        (follow_up, *_follow_up_state(follow_up, today))
        for follow_up in case.follow_ups.select_related("completed_by")
    ]
    can_change = case_plans.has_object_permission(request.user, "change", case)
    plan_open = case.status in services.PLAN_STATUSES
    _audit_view(request, case, "Support plan and reviews")
    return render(
        request,
        f"{TEMPLATES}/plan.html",
        {
            "case": case,
            "tabs": case_tabs(request, case),
            "plan": support_plan,
            "style_label": STYLE_SCALE.get(support_plan.intended_style) if support_plan else "",
            "active_goals": [goal for goal in goals if goal.is_active],
            "retired_goals": [goal for goal in goals if not goal.is_active],
            "levels": LEVELS,
            "reviews": reviews,
            "review_overdue": plan_open
            and case.next_review_due is not None
            and case.next_review_due < today,
            "plan_open": plan_open,
            "reassessment_pending": reassessment_pending,
            "reassessment_link": _reassessment_link(request, case) if reassessment_pending else "",
            "latest_review": latest,
            "follow_ups": follow_ups,
            "can_change": can_change,
            "can_edit_goals": can_change and plan_open,
            "interval_weeks": defaults.REVIEW_INTERVAL_WEEKS,
            "can_close": can_change
            and (case.status in START_CLOSING.sources or case.status == CaseStatus.CLOSING),
            "can_follow_up": can_change and any(not f.completed_on for f, _, _ in follow_ups),
        },
    )


# Writing and changing the plan ---------------------------------------------------------


def _plan_initial(plan: SupportPlan | None) -> dict:
    if plan is None:
        return {}
    return {
        "approach": plan.approach,
        "intended_style": plan.intended_style,
        "frequency": plan.frequency,
        "summary": plan.summary,
    }


@require_http_methods(["GET", "POST"])
@permission_required("case_plan", "change")
def plan_edit(request, pk: int):
    case = _case(request, pk, "change", Case.objects.select_related("plan"))
    support_plan = _plan_of(case)
    if support_plan is not None:
        support_plan.case = case
    blocked = _blocked(case)
    form = PlanForm(_posted(request), case=case, initial=_plan_initial(support_plan))
    if request.method == "POST" and not blocked and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_save(
                actor=request.user,
                case=case,
                data=data,
                expected_version=data["version"],
                request=request,
            )
        except (CaseConflict, services.PlanRefused) as error:
            _refused(form, case, error)
        else:
            written = "changed" if support_plan else "written"
            return _done(request, case, f"The support plan for {case.reference} is {written}.")
    if request.method == "GET" and support_plan is not None and not blocked:
        _audit_view(request, case, "Support plan: change")
    return render(
        request,
        f"{TEMPLATES}/plan_form.html",
        {
            "case": case,
            "form": form,
            "plan": support_plan,
            "blocked": blocked,
            "interval_weeks": defaults.REVIEW_INTERVAL_WEEKS,
        },
    )


# Goals ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("case_plan", "change")
def goal_add(request, pk: int):
    case = _case(request, pk, "change", Case.objects.select_related("plan"))
    blocked = _blocked(case, has_plan=_plan_of(case) is not None)
    form = GoalForm(_posted(request), case=case)
    if request.method == "POST" and not blocked and form.is_valid():
        try:
            goal = services.goal_add(
                actor=request.user,
                case=case,
                data=form.goal_data(),
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except (CaseConflict, services.PlanRefused) as error:
            _refused(form, case, error)
        else:
            return _done(request, case, f"Goal {goal.position} is added to the plan.")
    return render(
        request,
        f"{TEMPLATES}/goal_form.html",
        {
            "case": case,
            "form": form,
            "goal": None,
            "heading": "Add a goal",
            "blocked": blocked,
        },
    )


def _goal_of(case: Case, value) -> Goal:
    goal_id = _id_from(value)
    if goal_id is None:
        raise Http404
    try:
        goal = Goal.objects.get(case=case, pk=goal_id)
    except Goal.DoesNotExist:
        raise Http404 from None
    goal.case = case
    return goal


@require_http_methods(["GET", "POST"])
@permission_required("case_plan", "change")
def goal_edit(request, pk: int):
    """Change a goal, or stop using it. The goal is named by ``goal`` in the query string
    (to show the form) or the posted form, and must belong to the case."""
    case = _case(request, pk, "change")
    if request.method == "GET" and "goal" not in request.GET:
        return redirect("cases:plan", pk=case.pk)
    source = request.POST if request.method == "POST" else request.GET
    goal = _goal_of(case, source.get("goal"))
    blocked = _blocked(case)
    if not blocked and not goal.is_active:
        blocked = f"Goal {goal.position} is no longer in use. Its scores in past reviews are kept."
    deactivating = request.method == "POST" and "deactivate" in request.POST
    form = GoalForm(
        None if deactivating else _posted(request),
        case=case,
        initial=GoalForm.initial_from(goal),
    )
    deactivate_form = VersionedForm(request.POST if deactivating else None, case=case)
    if request.method == "POST" and not blocked:
        if deactivating and deactivate_form.is_valid():
            try:
                services.goal_deactivate(
                    actor=request.user,
                    case=case,
                    goal=goal,
                    expected_version=deactivate_form.cleaned_data["version"],
                    request=request,
                )
            except (CaseConflict, services.PlanRefused) as error:
                _refused(deactivate_form, case, error)
                form = GoalForm(case=case, initial=GoalForm.initial_from(goal))
            else:
                return _done(request, case, "The goal is no longer in use. Its scores are kept.")
        elif not deactivating and form.is_valid():
            try:
                services.goal_change(
                    actor=request.user,
                    case=case,
                    goal=goal,
                    data=form.goal_data(),
                    expected_version=form.cleaned_data["version"],
                    request=request,
                )
            except (CaseConflict, services.PlanRefused) as error:
                _refused(form, case, error)
            else:
                return _done(request, case, "The goal is changed.")
    if request.method == "GET" and not blocked:
        _audit_view(request, case, "Support plan: goal")
    return render(
        request,
        f"{TEMPLATES}/goal_form.html",
        {
            "case": case,
            "form": form,
            "deactivate_form": deactivate_form,
            "goal": goal,
            "heading": f"Change goal {goal.position}",
            "times_scored": goal.scores.count(),
            "blocked": blocked,
        },
    )


# Reviews -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("case_plan", "change")
def review_add(request, pk: int):
    case = _case(request, pk, "change", Case.objects.select_related("plan"))
    goals = list(case.goals.filter(is_active=True))
    blocked = _blocked(case, has_plan=_plan_of(case) is not None, has_goals=bool(goals))
    form = ReviewForm(_posted(request), case=case, goals=goals)
    if request.method == "POST" and not blocked and form.is_valid():
        data = form.cleaned_data
        try:
            review = services.review_record(
                actor=request.user,
                case=case,
                reviewed_on=data["reviewed_on"],
                scores=form.scores(),
                summary=data["summary"],
                reassessment_needed=data["reassessment_needed"],
                expected_version=data["version"],
                request=request,
            )
        except (CaseConflict, services.PlanRefused) as error:
            _refused(form, case, error)
        else:
            case.refresh_from_db(fields=["next_review_due"])
            due = long_date(case.next_review_due)
            message = f"Review recorded. GAS T-score {review.t_score}. Next review due {due}."
            if review.reassessment_needed:
                message += " A reassessment is prompted."
            return _done(request, case, message)
    if request.method == "GET" and not blocked:
        _audit_view(request, case, "Support plan: review")
    return render(
        request,
        f"{TEMPLATES}/review_form.html",
        {
            "case": case,
            "form": form,
            "blocked": blocked,
            "interval_weeks": defaults.REVIEW_INTERVAL_WEEKS,
        },
    )


# Closure -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("case_plan", "change")
def close(request, pk: int):
    """Start closing a case that is open, then close it with its outcome and closing
    report. The posted ``step`` says which form was sent; a step the case's status no
    longer matches was sent from a stale page."""
    case = _case(request, pk, "change")
    can_start = case.status in START_CLOSING.sources
    closing = case.status == CaseStatus.CLOSING
    step = request.POST.get("step") if request.method == "POST" else None
    start_form = StartClosingForm(request.POST if step == "start_closing" else None, case=case)
    close_form = CloseForm(request.POST if step == "close" else None, case=case)

    stale = None
    if (step == "start_closing" and not can_start) or (step == "close" and not closing):
        # Sent from a page showing another status: say so above the form as it is now.
        stale = VersionedForm({"version": case.version}, case=case)
        stale.is_valid()
        stale.add_error(None, str(CaseConflict()))
    elif step == "start_closing" and start_form.is_valid():
        try:
            case_act(
                actor=request.user,
                case=case,
                action="start_closing",
                expected_version=start_form.cleaned_data["version"],
                reason=start_form.cleaned_data["reason"],
                request=request,
            )
        except (CaseConflict, LifecycleRefused) as error:
            _refused(start_form, case, error)
        else:
            messages.success(
                request,
                f"{case.reference} is closing. Record the outcome and the closing report "
                "to close it.",
            )
            return redirect("cases:close", pk=case.pk)
    elif step == "close" and close_form.is_valid():
        data = close_form.cleaned_data
        try:
            services.case_close(
                actor=request.user,
                case=case,
                outcome=data["outcome"],
                closing_report=data["closing_report"],
                closed_on=data["closed_on"],
                expected_version=data["version"],
                request=request,
            )
        except (CaseConflict, LifecycleRefused, services.PlanRefused) as error:
            _refused(close_form, case, error)
        else:
            due = services.follow_up_dates(data["closed_on"]).values()
            return _done(
                request,
                case,
                f"{case.reference} is closed. Follow-ups are due on "
                + " and ".join(long_date(d) for d in sorted(due))
                + ".",
            )
    return render(
        request,
        f"{TEMPLATES}/close.html",
        {
            "case": case,
            "can_start": can_start,
            "closing": closing,
            "start_form": start_form,
            "close_form": close_form,
            # The error summary and the page title follow the form with errors.
            "form": stale or (close_form if close_form.errors else start_form),
            "status_label": _status_label(case),
        },
    )


# Follow-ups ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("case_plan", "change")
def follow_up(request, pk: int):
    """Record a follow-up after closure as done; which one is a field of the form (and may
    be chosen in advance with ``?follow_up=<id>``)."""
    case = _case(request, pk, "change")
    outstanding = case.follow_ups.filter(completed_on__isnull=True)
    initial = {}
    chosen = _id_from(request.GET.get("follow_up"))
    if chosen is not None:
        initial["follow_up"] = chosen
    form = FollowUpForm(_posted(request), case=case, follow_ups=outstanding, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen_follow_up = data["follow_up"]
        try:
            services.follow_up_record(
                actor=request.user,
                case=case,
                follow_up=chosen_follow_up,
                completed_on=data["completed_on"],
                notes=data["notes"],
                re_referred=data["re_referred"],
                expected_version=data["version"],
                request=request,
            )
        except (CaseConflict, services.PlanRefused) as error:
            _refused(form, case, error)
        else:
            kind = chosen_follow_up.get_kind_display()
            return _done(request, case, f"The follow-up {kind} is recorded.")
    follow_ups = list(case.follow_ups.all())
    return render(
        request,
        f"{TEMPLATES}/follow_up.html",
        {
            "case": case,
            "form": form,
            "follow_ups": follow_ups,
            "has_outstanding": any(f.completed_on is None for f in follow_ups),
        },
    )


# Lists for coordinators ----------------------------------------------------------------


def _days_text(days: int) -> str:
    return f"{days} day{'s' if days != 1 else ''}"


def _due_tag(due_on, today) -> tuple[str, str]:
    """The text and colour of a due date's tag: overdue red, today orange, soon yellow."""
    days = (due_on - today).days
    if days < 0:
        return ("Overdue by " + _days_text(-days), "red")
    if days == 0:
        return ("Due today", "orange")
    return ("Due in " + _days_text(days), "yellow")


@require_GET
@permission_required("case_list", "view")
def reviews_due(request):
    today = timezone.localdate()
    page = Paginator(services.reviews_due(request.user, today=today), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = []
    for case in page.object_list:
        rows.append({"case": case, "tag": _due_tag(case.next_review_due, today)})
    return render(
        request,
        f"{TEMPLATES}/reviews_due.html",
        {"page": page, "rows": rows, "window": services.DUE_SOON_DAYS},
    )


@require_GET
@permission_required("case_list", "view")
def follow_ups_due(request):
    today = timezone.localdate()
    page = Paginator(services.follow_ups_due(request.user, today=today), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = []
    for follow_up in page.object_list:
        rows.append({"follow_up": follow_up, "tag": _due_tag(follow_up.due_on, today)})
    return render(
        request,
        f"{TEMPLATES}/follow_ups_due.html",
        {"page": page, "rows": rows, "window": services.DUE_SOON_DAYS},
    )


urlpatterns = [
    path("reviews-due/", reviews_due, name="reviews_due"),
    path("follow-ups-due/", follow_ups_due, name="follow_ups_due"),
    path("<int:pk>/plan/", plan, name="plan"),
    path("<int:pk>/plan/edit/", plan_edit, name="plan_edit"),
    path("<int:pk>/plan/goals/new/", goal_add, name="goal_add"),
    path("<int:pk>/plan/goals/edit/", goal_edit, name="goal_edit"),
    path("<int:pk>/reviews/new/", review_add, name="review_add"),
    path("<int:pk>/close/", close, name="close"),
    path("<int:pk>/follow-ups/", follow_up, name="follow_up"),
]
