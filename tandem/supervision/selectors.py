"""Reads of supervision: the supervisor's oversight, a mentor's supervision page, and
the extension point through which safeguarding fills the open-concerns column."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from tandem.matching.models import WORKING, Match
from tandem.meetings.models import Session, SessionStatus
from tandem.mentors.models import Mentor, MentorStatus

from .models import (
    DebriefRequirement,
    SupervisionAction,
    SupervisionRecord,
    SupervisorAssignment,
    WellbeingCheckIn,
)
from .rules import annotate_schedule, due_on, is_overdue, mentor_due_on
from .wellbeing import trend

# Open concerns ---------------------------------------------------------------------------
# Supervision does not know about concerns: the safeguarding app registers a counter
# (from its AppConfig.ready()) answering, for many mentors in one query, how many open
# concerns are on their cases and where to see them.


@dataclass(frozen=True)
class ConcernCount:
    count: int
    url: str = ""


ConcernCounter = Callable[[Collection[int]], dict[int, ConcernCount]]
_concern_counters: list[ConcernCounter] = []


def register_concern_counter(counter: ConcernCounter) -> None:
    """Let ``counter(mentor_ids)`` fill the oversight page's open-concerns column (one
    counter only; it must run a fixed number of queries whatever the number of ids)."""
    if _concern_counters:
        raise ImproperlyConfigured("An open-concerns counter is already registered.")
    _concern_counters.append(counter)


def open_concerns(mentor_ids: Collection[int]) -> dict[int, ConcernCount] | None:
    """None when no app counts concerns (the page shows "—")."""
    if not _concern_counters:
        return None
    (counter,) = _concern_counters
    return counter(mentor_ids)


# Oversight -------------------------------------------------------------------------------


@dataclass
class OversightRow:
    mentor: Mentor
    url: str
    cases: list
    last_contact: dt.datetime | None
    due_on: dt.date | None
    overdue: bool
    wellbeing: str
    wellbeing_low: bool
    debriefs_open: int
    debriefs_overdue: int
    concerns: ConcernCount | None


def _wellbeing_totals(position: int):
    return Subquery(
        WellbeingCheckIn.objects.filter(mentor=OuterRef("pk"))
        .order_by("-submitted_at", "-pk")
        .values("total")[position : position + 1]
    )


def supervisees(user, today: dt.date | None = None) -> QuerySet[Mentor]:
    today = today or timezone.localdate()
    last_held = (
        Session.objects.filter(mentor=OuterRef("pk"), status=SessionStatus.HELD)
        .order_by()
        .values("mentor")
        .annotate(last=Max("starts_at"))
        .values("last")
    )
    latest_low = Subquery(
        WellbeingCheckIn.objects.filter(mentor=OuterRef("pk"))
        .order_by("-submitted_at", "-pk")
        .values("is_low")[:1]
    )
    return (
        annotate_schedule(
            Mentor.objects.filter(supervisor=user).exclude(status=MentorStatus.LEFT), today
        )
        .annotate(
            last_contact=Subquery(last_held),
            wellbeing_latest=_wellbeing_totals(0),
            wellbeing_before=_wellbeing_totals(1),
            wellbeing_low=latest_low,
            debriefs_open=Count(
                "debrief_requirements",
                filter=Q(debrief_requirements__met_by__isnull=True),
                distinct=True,
            ),
            debriefs_overdue=Count(
                "debrief_requirements",
                filter=Q(
                    debrief_requirements__met_by__isnull=True,
                    debrief_requirements__due_by__lt=today,
                ),
                distinct=True,
            ),
        )
        .prefetch_related(
            Prefetch(
                "matches",
                queryset=Match.objects.filter(status__in=WORKING)
                .select_related("case")
                .order_by("case__reference"),
                to_attr="working_matches",
            )
        )
        .order_by("full_name", "pk")
    )


def oversight_rows(user, today: dt.date | None = None) -> list[OversightRow]:
    """Each of the user's supervisees with what the supervisor watches: a fixed number
    of queries whatever the number of supervisees."""
    today = today or timezone.localdate()
    mentors = list(supervisees(user, today))
    concerns = open_concerns([m.pk for m in mentors])
    rows = []
    for mentor in mentors:
        due = mentor_due_on(mentor)
        totals = [t for t in (mentor.wellbeing_latest, mentor.wellbeing_before) if t is not None]
        rows.append(
            OversightRow(
                mentor=mentor,
                url=reverse("supervision:mentor", kwargs={"pk": mentor.pk}),
                cases=[
                    {
                        "reference": m.case.reference,
                        "url": reverse("cases:detail", kwargs={"pk": m.case_id}),
                    }
                    for m in mentor.working_matches
                ],
                last_contact=mentor.last_contact,
                due_on=due,
                overdue=is_overdue(due, today),
                wellbeing=trend(totals),
                wellbeing_low=bool(mentor.wellbeing_low),
                debriefs_open=mentor.debriefs_open,
                debriefs_overdue=mentor.debriefs_overdue,
                concerns=None if concerns is None else concerns.get(mentor.pk, ConcernCount(0)),
            )
        )
    return rows


# Supervision due across the scheme ---------------------------------------------------------


@dataclass
class DueRow:
    mentor: Mentor  # with ``supervisor`` and ``last_supervision``
    due_on: dt.date
    overdue: bool
    days: int  # days overdue, or days until due
    weeks: int  # how often the mentor's level is supervised


@dataclass
class DueList:
    overdue: int  # every overdue mentor, whatever the page
    due_soon: int  # every mentor due within the window
    no_clock: int  # active mentors with neither a supervision nor an assignment
    rows: list[tuple[int, dt.date, int]]  # (mentor id, due date, weeks), most pressing first


def supervision_due(*, within_days: int, today: dt.date | None = None) -> DueList:
    """The active mentors whose supervision is overdue, or due within ``within_days``,
    overdue first (longest overdue first), then soonest due. One query, whatever the
    number of mentors; ``due_rows`` then loads one page of them."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=within_days)
    schedules = annotate_schedule(
        Mentor.objects.filter(status=MentorStatus.ACTIVE), today
    ).values_list("pk", "supervision_anchor", "supervision_weeks")
    rows, no_clock = [], 0
    for pk, anchor, weeks in schedules:
        due = due_on(anchor, weeks)
        if due is None:
            no_clock += 1
        elif due <= horizon:
            rows.append((pk, due, weeks))
    rows.sort(key=lambda row: (row[1], row[0]))
    overdue = sum(1 for _, due, _ in rows if is_overdue(due, today))
    return DueList(overdue, len(rows) - overdue, no_clock, rows)


def due_rows(page: list[tuple[int, dt.date, int]], today: dt.date | None = None) -> list[DueRow]:
    """One page of ``supervision_due``'s rows with each mentor and their supervisor: one
    query, whatever the page's size."""
    today = today or timezone.localdate()
    last = (
        SupervisionRecord.objects.filter(mentor=OuterRef("pk"))
        .order_by()
        .values("mentor")
        .annotate(last=Max("held_on"))
        .values("last")
    )
    mentors = (
        Mentor.objects.filter(pk__in=[pk for pk, _, _ in page])
        .select_related("supervisor")
        .only("pk", "full_name", "supervisor__full_name", "supervisor__is_active")
        .annotate(last_supervision=Subquery(last))
        .in_bulk()
    )
    return [
        DueRow(
            mentor=mentors[pk],
            due_on=due,
            overdue=is_overdue(due, today),
            days=abs((today - due).days),
            weeks=weeks or 0,
        )
        for pk, due, weeks in page
        if pk in mentors
    ]


# One mentor ------------------------------------------------------------------------------


@dataclass
class MentorSupervision:
    mentor: Mentor
    due_on: dt.date | None
    overdue: bool
    records: list[SupervisionRecord]
    assignments: list[SupervisorAssignment]
    debriefs: list[DebriefRequirement]
    checkins: list[WellbeingCheckIn]
    open_actions: list[SupervisionAction]


def mentor_supervision(
    mentor: Mentor, *, with_wellbeing: bool, with_actions: bool, today: dt.date | None = None
) -> MentorSupervision:
    """What the mentor's supervision page shows. Wellbeing and actions only for those
    who may read them (the mentor and their supervisor)."""
    today = today or timezone.localdate()
    annotated = annotate_schedule(Mentor.objects.filter(pk=mentor.pk), today).get()
    due = mentor_due_on(annotated)
    records = list(
        SupervisionRecord.objects.filter(mentor=mentor)
        .select_related("supervisor")
        .defer("approach", "boundaries", "theology", "wellbeing")
        .order_by("-held_on", "-pk")
    )
    return MentorSupervision(
        mentor=mentor,
        due_on=due,
        overdue=is_overdue(due, today),
        records=records,
        assignments=list(
            SupervisorAssignment.objects.filter(mentor=mentor).select_related(
                "supervisor", "assigned_by"
            )
        ),
        debriefs=list(DebriefRequirement.objects.filter(mentor=mentor).select_related("met_by")),
        checkins=list(WellbeingCheckIn.objects.filter(mentor=mentor)[:10])
        if with_wellbeing
        else [],
        open_actions=list(
            SupervisionAction.objects.filter(mentor=mentor, done_on__isnull=True)
            .select_related("mentor", "record")
            .order_by("due_on", "pk")
        )
        if with_actions
        else [],
    )
