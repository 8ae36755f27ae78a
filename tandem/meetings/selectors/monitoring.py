"""Reads for contact monitoring, lone working and the calendar feed, each in a fixed
number of queries whatever the number of cases and sessions.

Contact overdue is computed in SQL from each active match's stored contact summary
(``MatchContact``: the last held session, the run of did-not-attends since then and
where that run began; see ``contact_summary``) and a subquery for the latest
coordinator check-in; the thresholds become per-frequency cut-off times worked out in
Python, so the filter needs no date arithmetic in the database and reads the same on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from tandem.cases.cadence import RHYTHM_DAYS
from tandem.cases.models import Frequency
from tandem.core.access import Scope
from tandem.matching.models import WORKING, Match, MatchStatus

from ..models import (
    CheckInOutcome,
    CheckInWith,
    CoordinatorCheckIn,
    MeetingsPolicy,
    Session,
    SessionStatus,
)
from ..permissions import contact

# A case without a plan is expected to meet fortnightly: the middle of the three, so a
# missing plan neither hides a gap for a month nor raises alarms after a week.
DEFAULT_FREQUENCY = Frequency.FORTNIGHTLY


def gap_days(frequency: str, policy: MeetingsPolicy) -> Decimal:
    """Days without a held session after which a case of ``frequency`` is overdue."""
    return RHYTHM_DAYS[Frequency(frequency)] * Decimal(policy.gap_multiple)


def _with_contact(matches: QuerySet) -> QuerySet:
    """Annotate matches with what contact monitoring reads (one query in all): the
    stored contact summary (a match with no summary row has had no session saved) and
    the latest coordinator check-in."""
    check_ins = CoordinatorCheckIn.objects.filter(case=OuterRef("case")).order_by(
        "-recorded_at", "-pk"
    )
    return matches.annotate(
        last_held_at=F("contact__last_held_at"),
        last_held_pk=F("contact__last_held_id"),
        contact_from=Coalesce(
            "contact__last_held_at",
            "started_at",
            "first_meeting_at",
            "proposed_at",
            output_field=DateTimeField(),
        ),
        missed_run=Coalesce(F("contact__missed_run"), Value(0)),
        missed_from_pk=F("contact__missed_from_id"),
        planned_frequency=F("case__plan__frequency"),
        frequency=Coalesce(
            F("case__plan__frequency"), Value(DEFAULT_FREQUENCY), output_field=CharField()
        ),
        check_in_at=Subquery(check_ins.values("recorded_at")[:1], output_field=DateTimeField()),
        check_in_outcome=Subquery(check_ins.values("outcome")[:1], output_field=CharField()),
        check_in_with=Subquery(check_ins.values("contacted")[:1], output_field=CharField()),
    )


def _overdue_filter(policy: MeetingsPolicy, now: dt.datetime) -> Q:
    # One comparison against the cut-off of the match's frequency (a CASE), not one
    # comparison per frequency.
    cutoff = Case(
        *(
            When(
                frequency=frequency,
                then=Value(now - dt.timedelta(days=float(gap_days(frequency, policy)))),
            )
            for frequency in Frequency.values
        ),
        output_field=DateTimeField(),
    )
    return Q(contact_from__lt=cutoff) | Q(missed_run__gte=policy.missed_in_a_row)


def overdue_matches(*, policy: MeetingsPolicy, now: dt.datetime | None = None) -> QuerySet:
    """Every active match whose contact is overdue, longest without contact first.
    Unscoped: for the scheduled command; pages use ``contact_overdue``."""
    now = now or timezone.now()
    return (
        _with_contact(Match.objects.filter(status=MatchStatus.ACTIVE))
        .filter(_overdue_filter(policy, now))
        .select_related("case", "mentor")
        .order_by("contact_from", "pk")
    )


@dataclass(frozen=True)
class Gap:
    """Why one match is overdue: ``kind`` is a ContactAlertKind value; ``anchor`` names
    the gap (the last held session, or the match when none was held; the first miss of
    the run), so the same gap is recognised again on every run."""

    kind: str
    anchor: str


def gaps_of(match: Match, *, policy: MeetingsPolicy, now: dt.datetime) -> list[Gap]:
    """The gaps of a match annotated by ``_with_contact``."""
    gaps = []
    limit = gap_days(match.frequency, policy)
    if now - match.contact_from > dt.timedelta(days=float(limit)):
        anchor = f"held:{match.last_held_pk}" if match.last_held_pk else f"match:{match.pk}"
        gaps.append(Gap("gap", anchor))
    if match.missed_run >= policy.missed_in_a_row and match.missed_from_pk:
        gaps.append(Gap("missed", f"missed:{match.missed_from_pk}"))
    return gaps


@dataclass(frozen=True)
class OverdueRow:
    match: Match
    days_since: int
    rhythm: str
    reasons: list[str]
    check_in_at: dt.datetime | None
    check_in: str  # "The mentor: no answer", or "" when none


def _row(match: Match, *, policy: MeetingsPolicy, now: dt.datetime) -> OverdueRow:
    reasons = []
    for gap in gaps_of(match, policy=policy, now=now):
        if gap.kind == "gap":
            days = gap_days(match.frequency, policy)
            reasons.append(f"No session held for more than {days.normalize():f} days")
        else:
            reasons.append(f"Did not attend {match.missed_run} times in a row")
    rhythm = Frequency(match.frequency).label
    if not match.planned_frequency:
        rhythm += " (no plan yet: the default)"
    check_in = ""
    if match.check_in_at:
        check_in = (
            f"{CheckInWith(match.check_in_with).label}: "
            f"{CheckInOutcome(match.check_in_outcome).label[0].lower()}"
            f"{CheckInOutcome(match.check_in_outcome).label[1:]}"
        )
    return OverdueRow(
        match=match,
        days_since=(now - match.contact_from).days,
        rhythm=rhythm,
        reasons=reasons,
        check_in_at=match.check_in_at,
        check_in=check_in,
    )


def contact_overdue(
    user, *, now: dt.datetime | None = None
) -> tuple[QuerySet, Callable[[Match], OverdueRow]]:
    """The overdue matches ``user`` may see, and a function turning one into a row for
    the page (so that the page paginates the queryset first)."""
    now = now or timezone.now()
    policy = MeetingsPolicy.current()
    queryset = overdue_matches(policy=policy, now=now)
    if Scope.ALL not in contact.scopes(user, "view"):
        queryset = queryset.none()
    return queryset, lambda match: _row(match, policy=policy, now=now)


def recent_check_ins(case, *, latest: int = 5) -> list[CoordinatorCheckIn]:
    """The coordinators' latest check-ins on ``case``, newest first."""
    return list(
        CoordinatorCheckIn.objects.filter(case=case)
        .select_related("case", "recorded_by")
        .order_by("-recorded_at", "-pk")[:latest]
    )


def contact_of_case(case, *, now: dt.datetime | None = None) -> OverdueRow | None:
    """The contact record of a case's active match (overdue or not), or None."""
    now = now or timezone.now()
    policy = MeetingsPolicy.current()
    match = (
        _with_contact(Match.objects.filter(case=case, status=MatchStatus.ACTIVE))
        .select_related("case", "mentor")
        .first()
    )
    return _row(match, policy=policy, now=now) if match else None


# Lone working ----------------------------------------------------------------------------

# Sessions that may still be going on or may have happened: the ones a mentor checks in
# and out of. Cancelled, rescheduled and missed sessions need no check-out.
IN_PLAY = (SessionStatus.PLANNED, SessionStatus.HELD)


def sessions_to_check_in(
    user, *, match: Match | None = None, now: dt.datetime | None = None
) -> list[Session]:
    """The mentor's lone-working sessions today, and any still checked in from before
    (of one ``match`` when given)."""
    now = timezone.localtime(now or timezone.now())
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    day_end = day_start + dt.timedelta(days=1)
    mine = Session.objects.filter(
        mentor__user=user, match__status__in=WORKING, place_type__needs_lone_working=True
    )
    if match is not None:
        mine = mine.filter(match=match)
    return list(
        mine.filter(
            Q(starts_at__gte=day_start, starts_at__lt=day_end, status__in=IN_PLAY)
            | Q(checked_in_at__isnull=False, checked_out_at__isnull=True)
        )
        .select_related("case", "place_type")
        .order_by("starts_at", "pk")
    )


def lone_working_alert_queryset() -> QuerySet:
    return Session.objects.filter(check_out_alerted_at__isnull=False).select_related(
        "case", "mentor", "place_type", "check_out_acknowledged_by"
    )


def open_lone_working_alerts() -> list[Session]:
    """Missed check-outs nobody has acknowledged yet, oldest first."""
    return list(
        lone_working_alert_queryset()
        .filter(check_out_acknowledged_at__isnull=True)
        .order_by("check_out_alerted_at", "pk")
    )


def recent_acknowledged_alerts(*, now: dt.datetime | None = None, days: int = 7) -> list[Session]:
    since = (now or timezone.now()) - dt.timedelta(days=days)
    return list(
        lone_working_alert_queryset()
        .filter(check_out_acknowledged_at__gte=since)
        .order_by("-check_out_acknowledged_at", "-pk")[:50]
    )


def missed_check_out_candidates(*, policy: MeetingsPolicy, now: dt.datetime) -> list[Session]:
    """Checked-in sessions not checked out whose end plus the grace period has passed
    and that have not been alerted. The database narrows by start (a session lasts at
    least a minute); the exact end is checked here."""
    grace = dt.timedelta(minutes=policy.check_out_grace_minutes)
    candidates = Session.objects.filter(
        place_type__needs_lone_working=True,
        checked_in_at__isnull=False,
        checked_out_at__isnull=True,
        check_out_alerted_at__isnull=True,
        starts_at__lt=now - grace,
    ).select_related("case", "mentor", "place_type")
    return [s for s in candidates if s.ends_at + grace <= now]


def escalation_candidates(*, policy: MeetingsPolicy, now: dt.datetime) -> QuerySet:
    """Alerted, unacknowledged, still not checked out, and the escalation time passed."""
    return Session.objects.filter(
        check_out_alerted_at__lte=now - dt.timedelta(minutes=policy.check_out_escalation_minutes),
        check_out_acknowledged_at__isnull=True,
        check_out_escalated_at__isnull=True,
        checked_out_at__isnull=True,
    ).select_related("case", "mentor", "place_type")


# Calendar -------------------------------------------------------------------------------

FEED_HISTORY_DAYS = 90


def feed_sessions(user, *, now: dt.datetime | None = None) -> QuerySet:
    """The planned and held sessions of the user's working matches, from
    FEED_HISTORY_DAYS ago onwards: what their calendar subscription holds."""
    since = (now or timezone.now()) - dt.timedelta(days=FEED_HISTORY_DAYS)
    return (
        Session.objects.filter(
            mentor__user=user,
            match__status__in=WORKING,
            status__in=IN_PLAY,
            starts_at__gte=since,
        )
        .select_related("case", "place_type")
        .order_by("starts_at", "pk")
    )
