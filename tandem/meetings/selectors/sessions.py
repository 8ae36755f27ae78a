"""Reads about sessions, always scoped to the user through the permission policies, in
a fixed number of queries however many sessions there are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils import timezone

from tandem.cases.cadence import RHYTHM_DAYS
from tandem.cases.models import Case, Frequency, Goal, SupportPlan
from tandem.matching.models import WORKING, Match

from ..models import MeetingBrief, Session, SessionStatus
from ..permissions import sessions
from .monitoring import sessions_to_check_in

CASE_PAGE_SIZE = 10
UPCOMING_LIMIT = 50


def session_rows(queryset: QuerySet) -> QuerySet:
    """What a list of sessions shows, in a fixed number of queries."""
    return queryset.select_related("case", "place_type").prefetch_related("topics")


def working_match_of(case: Case, user) -> Match | None:
    """The user's own working match on ``case``: they are the mentor working with the
    person."""
    return (
        Match.objects.filter(case=case, mentor__user=user, status__in=WORKING)
        .select_related("mentor")
        .first()
    )


def case_sessions_page(*, case: Case, user, page_number) -> Page:
    queryset = sessions.queryset(user, "view", Session.objects.filter(case=case))
    return Paginator(session_rows(queryset).order_by("-starts_at", "-pk"), CASE_PAGE_SIZE).get_page(
        page_number
    )


@dataclass(frozen=True)
class YourSessions:
    to_record: list[Session]  # planned, their time has passed
    upcoming: list[Session]
    more_upcoming: bool


def your_sessions(user) -> YourSessions:
    """A mentor's planned sessions across their working matches."""
    now = timezone.now()
    planned = session_rows(
        sessions.queryset(user, "view", Session.objects.filter(status=SessionStatus.PLANNED))
        .filter(mentor__user=user)  # this page is the user's own, even for staff
        .order_by("starts_at", "pk")
    )
    to_record = list(planned.filter(starts_at__lte=now))
    upcoming = list(planned.filter(starts_at__gt=now)[: UPCOMING_LIMIT + 1])
    return YourSessions(
        to_record=to_record,
        upcoming=upcoming[:UPCOMING_LIMIT],
        more_upcoming=len(upcoming) > UPCOMING_LIMIT,
    )


@dataclass(frozen=True)
class Workspace:
    """What the mentor working with the person sees on the case's sessions page."""

    match: Match
    next_session: Session | None
    to_record: list[Session]
    plan: SupportPlan | None
    goals: list[Goal]
    brief: MeetingBrief | None
    lone_working: list[Session]  # to check in to or out of now


def workspace(*, case: Case, match: Match) -> Workspace:
    now = timezone.now()
    planned = session_rows(
        Session.objects.filter(match=match, status=SessionStatus.PLANNED).order_by(
            "starts_at", "pk"
        )
    )
    return Workspace(
        match=match,
        next_session=planned.filter(starts_at__gt=now).first(),
        to_record=list(planned.filter(starts_at__lte=now)),
        plan=SupportPlan.objects.filter(case=case).first(),
        goals=list(Goal.objects.filter(case=case, is_active=True).order_by("position", "pk")),
        brief=MeetingBrief.objects.filter(case=case).first(),
        lone_working=sessions_to_check_in(match.mentor.user_id, match=match, now=now),
    )


def plan_of(case: Case) -> SupportPlan | None:
    return SupportPlan.objects.filter(case=case).first()


def suggested_next(*, match: Match) -> dt.datetime:
    """When the next session might be: the latest session plus the plan's rhythm (a week
    when there is no plan), moved on by whole rhythms until it is in the future."""
    plan = plan_of(match.case)
    days = RHYTHM_DAYS[plan.frequency if plan else Frequency.WEEKLY]
    latest = (
        Session.objects.filter(match=match)
        .exclude(status=SessionStatus.RESCHEDULED)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    now = timezone.now()
    if latest is None:
        local = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
        return local + dt.timedelta(days=days)
    local = timezone.localtime(latest).replace(tzinfo=None)
    step = dt.timedelta(days=days)
    candidate = local + step
    while timezone.make_aware(candidate) <= now:
        candidate += step
    return timezone.make_aware(candidate)
