"""Demo data for the rehabilitation pathway: about one case in six moves to it. Of those
working with a mentor, some are in custody with a release date in the coming weeks (one
with a session in prison and its visit booking), some on licence with conditions (an
exclusion zone, people not to associate with, limits on internet use); the others are on
remand, on a community order or have completed their sentence. A few came through the
multi-agency panel: adopted (one reviewed since), signposted elsewhere, and one still
waiting for the panel's decision.

Only for local evaluation and tests. Runs once, after the demo meetings: when any
rehabilitation record exists, nothing is done. Texts name nobody real.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import User
from tandem.cases.lifecycle import ENDED
from tandem.cases.models import Case, CaseEvent, CaseStatus, Pathway
from tandem.catalogues.models import Area, ReferralSource
from tandem.matching.models import WORKING, Match
from tandem.meetings.models import PlaceType, Session
from tandem.rehabilitation.models import (
    ConditionKind,
    CustodyStatus,
    CustodyVisit,
    LicenceCondition,
    PanelDecision,
    PanelKind,
    PanelMeeting,
    ProtectionLevel,
    RehabilitationRecord,
)

from .accounts import DEMO_DOMAIN

COORDINATOR_EMAIL = f"coordinator@{DEMO_DOMAIN}"
ESTABLISHMENTS = ["HMP Birmingham", "HMP Hewell", "HMYOI Werrington", "HMP Oakwood"]
OFFENDER_MANAGERS = [
    ("Probation officer, Birmingham North", "0121 496 0000"),
    ("Probation officer, Coventry", "024 7696 0000"),
    ("Youth justice worker, Sandwell", "0121 496 0999"),
]
AGENCIES = "Probation\nCounter-terrorism policing\nLocal authority\nHealth"


def _record(case, *, status, today, n, actor, **dates) -> RehabilitationRecord:
    manager, contact = OFFENDER_MANAGERS[n % len(OFFENDER_MANAGERS)]
    return RehabilitationRecord.objects.create(
        case=case,
        custody_status=status,
        establishment=ESTABLISHMENTS[n % len(ESTABLISHMENTS)]
        if status in (CustodyStatus.REMANDED, CustodyStatus.SENTENCED)
        else "",
        offender_manager_name=manager,
        offender_manager_contact=contact,
        protection_level=[ProtectionLevel.LEVEL_1, ProtectionLevel.LEVEL_2][n % 2],
        updated_by=actor,
        **dates,
    )


def _conditions(case, *, n, actor, areas) -> None:
    area = areas[n % len(areas)]
    LicenceCondition.objects.create(
        case=case,
        kind=ConditionKind.EXCLUSION_ZONE,
        area=area,
        details="Not to enter the area without the offender manager's prior approval.",
        added_by=actor,
    )
    LicenceCondition.objects.create(
        case=case,
        kind=ConditionKind.NON_ASSOCIATION,
        names="Daniel Whitfield\nMarcus Tolland",
        details="Co-defendants.",
        added_by=actor,
    )
    if n % 2:
        LicenceCondition.objects.create(
            case=case,
            kind=ConditionKind.INTERNET,
            details="One internet-enabled device, declared to probation; no encrypted apps.",
            added_by=actor,
        )


@transaction.atomic
def ensure_demo_rehabilitation() -> int:
    """Put about one case in six on the rehabilitation pathway; returns how many."""
    if RehabilitationRecord.objects.exists():
        return 0
    actor = User.objects.get(email=COORDINATOR_EMAIL)
    today = timezone.localdate()
    now = timezone.now()
    areas = list(Area.objects.order_by("position", "name")[:3])
    cases = list(Case.objects.order_by("pk").select_related("referral_source"))[3::6]
    working = set(
        Match.objects.filter(case__in=cases, status__in=WORKING).values_list("case_id", flat=True)
    )
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(pathway=Pathway.REHABILITATION)
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(
                case=case,
                kind="case.pathway_changed",
                summary="Pathway changed from prevention to rehabilitation",
                actor=actor,
                occurred_at=now,
            )
            for case in cases
        ]
    )
    in_custody = []
    for n, case in enumerate(cases):
        if case.pk in working and n % 2 == 0:
            _record(
                case,
                status=CustodyStatus.SENTENCED,
                today=today,
                n=n,
                actor=actor,
                expected_release_date=today + dt.timedelta(days=7 + 5 * n % 35),
                licence_end_date=today + dt.timedelta(days=700),
            )
            in_custody.append(case)
        elif case.pk in working or case.status in (CaseStatus.CLOSING, CaseStatus.ON_HOLD):
            _record(
                case,
                status=CustodyStatus.ON_LICENCE,
                today=today,
                n=n,
                actor=actor,
                expected_release_date=today - dt.timedelta(days=30 + 7 * n % 90),
                licence_end_date=today + dt.timedelta(days=365 + 10 * n),
            )
            _conditions(case, n=n, actor=actor, areas=areas)
        elif case.status in ENDED:
            _record(case, status=CustodyStatus.COMPLETED, today=today, n=n, actor=actor)
        else:
            status = [CustodyStatus.REMANDED, CustodyStatus.COMMUNITY_ORDER][n % 2]
            _record(case, status=status, today=today, n=n, actor=actor)

    _visits(in_custody, actor=actor, now=now)
    _panel(cases, actor=actor, today=today)
    return len(cases)


def _visits(in_custody, *, actor, now) -> None:
    """Two cases in custody have their next session planned in prison, with its booking."""
    prison = PlaceType.objects.filter(code="prison").first()
    if prison is None:
        return
    matches = {
        m.case_id: m
        for m in Match.objects.filter(case__in=in_custody[:2], status__in=WORKING).select_related(
            "mentor"
        )
    }
    for n, case in enumerate(in_custody[:2]):
        match = matches.get(case.pk)
        if match is None:
            continue
        starts = (now + dt.timedelta(days=4 + n)).replace(
            hour=14, minute=0, second=0, microsecond=0
        )
        session = Session.objects.create(
            match=match,
            case=case,
            mentor=match.mentor,
            starts_at=starts,
            place_type=prison,
            created_by=match.mentor.user or actor,
        )
        CustodyVisit.objects.create(
            session=session,
            case=case,
            establishment=ESTABLISHMENTS[n],
            booking_reference=f"VB-{20260400 + n}",
            booked_on=now.date(),
            recorded_by=match.mentor.user or actor,
        )


def _panel(cases, *, actor, today) -> None:
    """Four cases came through the panel: two adopted (one reviewed since), one waiting
    for the decision (awaiting a match if there is one, so the hold shows), one
    signposted elsewhere (an ended case)."""
    source = ReferralSource.objects.filter(code="panel").first()
    if source is None:
        return
    waiting = [c for c in cases if c.status == CaseStatus.AWAITING_MATCH]
    supported = [c for c in cases if c.status in (CaseStatus.ACTIVE, CaseStatus.MATCHED)]
    ended = [c for c in cases if c.status in ENDED]
    chosen = supported[:2] + waiting[:1] + ended[:1]
    Case.objects.filter(pk__in=[c.pk for c in chosen]).update(referral_source=source)
    for n, case in enumerate(supported[:2]):
        met = today - dt.timedelta(days=120 + 30 * n)
        PanelMeeting.objects.create(
            case=case,
            kind=PanelKind.PRESENTATION,
            met_on=met,
            decision=PanelDecision.ADOPT,
            decided_on=met,
            agencies_present=AGENCIES,
            actions="Mentor to be matched within four weeks; probation to share licence "
            "conditions.",
            next_review_due=None if n == 0 else met + dt.timedelta(weeks=12),
            recorded_by=actor,
        )
        if n == 0:
            review = today - dt.timedelta(days=20)
            PanelMeeting.objects.create(
                case=case,
                kind=PanelKind.REVIEW,
                met_on=review,
                decision=PanelDecision.ADOPT,
                decided_on=review,
                agencies_present=AGENCIES,
                actions="Continue mentoring; review engagement at the next panel.",
                next_review_due=review + dt.timedelta(weeks=12),
                recorded_by=actor,
            )
    for case in waiting[:1]:
        PanelMeeting.objects.create(
            case=case,
            kind=PanelKind.PRESENTATION,
            met_on=today - dt.timedelta(days=3),
            agencies_present=AGENCIES,
            recorded_by=actor,
        )
    for case in ended[:1]:
        met = today - dt.timedelta(days=200)
        PanelMeeting.objects.create(
            case=case,
            kind=PanelKind.PRESENTATION,
            met_on=met,
            decision=PanelDecision.SIGNPOST,
            decided_on=met,
            agencies_present=AGENCIES,
            signposted_to="A statutory service for adults with complex needs",
            recorded_by=actor,
        )
