"""Reads on the rehabilitation pathway: one case's release and first meeting, and the
coordinators' overview. Each list is a fixed number of queries whatever the number of
cases."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Min, OuterRef, Subquery
from django.utils import timezone

from tandem.cases.lifecycle import ENDED
from tandem.cases.models import Case, Pathway
from tandem.meetings.models import Session, SessionStatus

from .models import (
    IN_CUSTODY,
    PanelMeeting,
    RehabilitationPolicy,
    RehabilitationRecord,
    ReleaseAlert,
)
from .rules import PANEL_SOURCE

# Sessions that count as the first meeting after release once planned or held.
COUNTED = (SessionStatus.PLANNED, SessionStatus.HELD)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class FirstMeeting:
    """The first meeting after a release: when it is due by, and what is planned or held."""

    release_date: dt.date
    due_by: dt.date
    session: Session | None
    state: str  # "coming" (release ahead), "held", "planned", "late", "not_planned", "overdue"

    @property
    def on_time(self) -> bool:
        return self.session is not None and (
            timezone.localdate(self.session.starts_at) <= self.due_by
        )


def first_meeting_after_release(
    record: RehabilitationRecord, *, today: dt.date | None = None, policy=None
) -> FirstMeeting | None:
    """Where the first meeting after ``record``'s release stands, or None without a
    release date."""
    if record.expected_release_date is None:
        return None
    today = today or timezone.localdate()
    policy = policy or RehabilitationPolicy.current()
    release = record.expected_release_date
    due_by = release + dt.timedelta(days=policy.first_meeting_days)
    session = (
        Session.objects.filter(
            case_id=record.case_id, status__in=COUNTED, starts_at__gte=_day_start(release)
        )
        .order_by("starts_at")
        .first()
    )
    if session is not None and session.status == SessionStatus.HELD:
        state = "held"
    elif session is not None:
        state = "planned" if timezone.localdate(session.starts_at) <= due_by else "late"
    elif today > due_by:
        state = "overdue"
    elif today < release:
        state = "coming"
    else:
        state = "not_planned"
    return FirstMeeting(release_date=release, due_by=due_by, session=session, state=state)


@dataclass(frozen=True)
class Overview:
    releases: list  # records with a release in the coming prompt window or just passed
    alerts: list  # open contact alerts after release
    reviews_due: list  # panel meetings whose next review is due within four weeks
    awaiting_panel: list  # panel-route cases with no decision yet, the longest waiting
    awaiting_total: int = 0  # how many there are in all


# The overview lists the cases waiting longest for the panel; at national scale there are
# well over a thousand, and listing them all took most of the page's 300 ms.
AWAITING_SHOWN = 50


def overview(*, today: dt.date | None = None) -> Overview:
    today = today or timezone.localdate()
    policy = RehabilitationPolicy.current()
    window_start = today - dt.timedelta(days=policy.first_meeting_days)
    window_end = today + dt.timedelta(days=policy.release_prompt_days)
    records = list(
        RehabilitationRecord.objects.filter(
            expected_release_date__gte=window_start,
            expected_release_date__lte=window_end,
            case__pathway=Pathway.REHABILITATION,
        )
        .exclude(case__status__in=ENDED)
        .select_related("case")
        .order_by("expected_release_date", "pk")
    )
    # The first session after each release, in one query.
    starts = {}
    if records:
        sessions = (
            Session.objects.filter(case_id__in=[r.case_id for r in records], status__in=COUNTED)
            .values("case_id", "starts_at")
            .order_by("starts_at")
        )
        released = {r.case_id: _day_start(r.expected_release_date) for r in records}
        for row in sessions:
            if row["starts_at"] >= released[row["case_id"]]:
                starts.setdefault(row["case_id"], row["starts_at"])
    releases = []
    for record in records:
        due_by = record.expected_release_date + dt.timedelta(days=policy.first_meeting_days)
        first = starts.get(record.case_id)
        releases.append(
            {
                "record": record,
                "due_by": due_by,
                "first": first,
                "on_time": first is not None and timezone.localdate(first) <= due_by,
                "in_custody": record.custody_status in IN_CUSTODY,
            }
        )
    alerts = list(
        ReleaseAlert.objects.filter(resolved_at__isnull=True, kind="overdue")
        .select_related("case")
        .order_by("release_date")
    )
    reviews_due = list(
        PanelMeeting.objects.filter(next_review_due__lte=today + dt.timedelta(weeks=4))
        .exclude(case__status__in=ENDED)
        .select_related("case")
        .order_by("next_review_due")
    )
    decided = PanelMeeting.objects.filter(case=OuterRef("pk")).exclude(decision="")
    awaiting = (
        Case.objects.filter(referral_source__code=PANEL_SOURCE)
        .exclude(status__in=ENDED)
        .annotate(decided=Subquery(decided.values("pk")[:1]))
        .filter(decided__isnull=True)
    )
    awaiting_panel = list(
        awaiting.annotate(presented=Min("panel_meetings__met_on"))
        .order_by("received_at", "pk")
        .only("pk", "reference", "status", "received_at")[:AWAITING_SHOWN]
    )
    return Overview(
        releases=releases,
        alerts=alerts,
        reviews_due=reviews_due,
        awaiting_panel=awaiting_panel,
        awaiting_total=awaiting.count(),  # always counted: the same queries at every size
    )


def releases_to_prompt(today: dt.date, policy: RehabilitationPolicy):
    """Records of people in custody released within the prompt window (today included)."""
    return RehabilitationRecord.objects.filter(
        custody_status__in=IN_CUSTODY,
        expected_release_date__gte=today,
        expected_release_date__lte=today + dt.timedelta(days=policy.release_prompt_days),
        case__pathway=Pathway.REHABILITATION,
    ).exclude(case__status__in=ENDED)


def releases_overdue(today: dt.date, policy: RehabilitationPolicy):
    """Records whose first meeting after release was due before today and not held."""
    latest_due = today - dt.timedelta(days=policy.first_meeting_days + 1)
    held_after = Session.objects.filter(
        case_id=OuterRef("case_id"),
        status=SessionStatus.HELD,
        starts_at__date__gte=OuterRef("expected_release_date"),
    )
    return (
        RehabilitationRecord.objects.filter(
            expected_release_date__lte=latest_due,
            expected_release_date__gte=latest_due - dt.timedelta(days=90),
            case__pathway=Pathway.REHABILITATION,
        )
        .exclude(case__status__in=ENDED)
        .exclude(custody_status__in=IN_CUSTODY)
        .annotate(held=Subquery(held_after.values("pk")[:1]))
        .filter(held__isnull=True)
    )
