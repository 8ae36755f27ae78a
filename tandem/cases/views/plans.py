"""The case's support plan page and the plan form, and what every page hanging off the
plan shares (goals, reviews, closure, follow-ups: their own modules).

Case pages load the case through the case_plan policy (404 for a case the user may not
see); pages that show the plan's encrypted text record the view in the audit log.
Forms carry the case's version: a form posted from a stale page is refused, shown
again with everything typed, and carries the current version so that sending it again
is a deliberate choice.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tandem.audit.services import record_view
from tandem.core.links import url_if_installed
from tandem.core.permissions import permission_required

from .. import defaults
from ..forms.plans import LEVEL_LABELS, LEVELS, PlanForm, VersionedForm
from ..lifecycle import ACTIONS
from ..models import STYLE_SCALE, Case, CaseStatus, FollowUp, Goal, GoalScore, Review, SupportPlan
from ..navigation import case_tabs
from ..permissions import CasePolicy, case_plans
from ..selectors import DUE_SOON_DAYS
from ..services import plans as services
from ..services.lifecycle import CaseConflict
from ..services.plans import PLAN_STATUSES

TEMPLATES = "cases/plans"
START_CLOSING = ACTIONS["start_closing"]
# Assessments are another app, linked to by URL only (it may not be installed); whether
# the user may start one is its rule in the access matrix, over the case's relationships.
may_assess = CasePolicy("case_assessment")


# Shared by the plan's pages ------------------------------------------------------------


def posted_data(request):
    """The posted data, even when empty (an empty POST is still a submission)."""
    return request.POST if request.method == "POST" else None


def plan_of(case: Case) -> SupportPlan | None:
    try:
        return case.plan
    except SupportPlan.DoesNotExist:
        return None


def plan_case(request, pk: int, action: str, queryset=None) -> Case:
    return case_plans.get_object_or_404(request.user, action, queryset=queryset, pk=pk)


def id_from(value) -> int | None:
    """A record id from the query string or a form, or None for anything else."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10:
        return int(value)
    return None


def show_refusal(form: VersionedForm, case: Case, error: Exception) -> None:
    """Show a refusal on the form. After a stale-form refusal the form carries the
    case's current version, keeping everything typed."""
    if isinstance(error, CaseConflict):
        case.refresh_from_db(fields=["version", "status", "next_review_due"])
        form.seen_version(case)
    form.add_error(None, str(error))


def back_to_plan(request, case: Case, message: str):
    messages.success(request, message)
    return redirect("cases:plan", pk=case.pk)


def plan_open_status(case: Case) -> bool:
    return case.status in PLAN_STATUSES


def status_label(case: Case) -> str:
    return CaseStatus(case.status).label.lower()


def blocked_reason(case: Case, *, has_plan: bool = True, has_goals: bool = True) -> str:
    """Why the plan's forms are not offered for ``case``; empty when they are."""
    if not plan_open_status(case):
        return (
            f"{case.reference} is {status_label(case)}. The plan, its goals and reviews "
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
    if not may_assess.has_object_permission(request.user, "change", case):
        return ""
    return url_if_installed("assessments:create", pk=case.pk)


def _follow_up_state(follow_up: FollowUp, today: dt.date) -> tuple[str, str]:
    """A GOV.UK tag (text, colour) for a follow-up."""
    if follow_up.completed_on:
        return "Done", "green"
    if follow_up.due_on < today:
        return "Overdue", "red"
    if follow_up.due_on <= today + dt.timedelta(days=DUE_SOON_DAYS):
        return "Due", "orange"
    return "Scheduled", "grey"


@require_GET
@permission_required("case_plan", "view")
def plan(request, pk: int):
    case = plan_case(
        request,
        pk,
        "view",
        Case.objects.select_related("plan", "plan__updated_by", "closed_by"),
    )
    support_plan = plan_of(case)
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
    plan_open = plan_open_status(case)
    record_view(actor=request.user, obj=case, request=request, reason="Support plan and reviews")
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
    case = plan_case(request, pk, "change", Case.objects.select_related("plan"))
    support_plan = plan_of(case)
    if support_plan is not None:
        support_plan.case = case
    blocked = blocked_reason(case)
    form = PlanForm(posted_data(request), case=case, initial=_plan_initial(support_plan))
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
            show_refusal(form, case, error)
        else:
            written = "changed" if support_plan else "written"
            return back_to_plan(
                request, case, f"The support plan for {case.reference} is {written}."
            )
    if request.method == "GET" and support_plan is not None and not blocked:
        record_view(actor=request.user, obj=case, request=request, reason="Support plan: change")
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


urlpatterns = [
    path("<int:pk>/plan/", plan, name="plan"),
    path("<int:pk>/plan/edit/", plan_edit, name="plan_edit"),
]
