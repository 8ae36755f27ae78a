"""Every write about information shared outside the scheme goes through here.

Each service is one transaction that makes the change and records its audit event
(field names only, never what was shared). A disclosure is logged whenever
information leaves the scheme: recorded by hand, from a released progress report,
from a request answered with a release, and from every safeguarding escalation.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tandem.audit.services import record_event
from tandem.cases.models import Case, Goal, GoalScore, Review
from tandem.meetings.models import Session, SessionStatus

from . import lifecycle
from .defaults import SAFEGUARDING
from .models import (
    Disclosure,
    DisclosureKind,
    Exemption,
    InformationRequest,
    LawfulBasis,
    ProgressReport,
    ReportAudience,
    ReportStatus,
    RequestDecision,
    RequestKind,
    RequestStatus,
)


class SharingRefused(Exception):
    """The change cannot be made; the message says why and is safe to show."""


STALE = (
    "Someone else changed this request while you were working on it. Your decision has "
    "not been saved: check the request as it is now, then try again."
)


def _required(value: str, message: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise SharingRefused(message)
    if len(value) > limit:
        raise SharingRefused(f"Keep each answer to {limit:,} characters or fewer.")
    return value


def _optional(value: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise SharingRefused(f"Keep each answer to {limit:,} characters or fewer.")
    return value


def _active_basis(basis: LawfulBasis | None) -> LawfulBasis:
    if basis is None or not basis.is_active:
        raise SharingRefused("Select the lawful basis from the list.")
    return basis


# Disclosures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Sharing:
    kind: str
    recipient_agency: str
    what_shared: str
    purpose: str
    lawful_basis: LawfulBasis | None
    recipient_person: str = ""
    shared_at: dt.datetime | None = None


@transaction.atomic
def disclosure_record(
    *,
    actor,
    case: Case,
    sharing: Sharing,
    authorised_by=None,
    report: ProgressReport | None = None,
    escalation=None,
    info_request: InformationRequest | None = None,
    request=None,
) -> Disclosure:
    """Log one disclosure about ``case``'s person outside the scheme. ``authorised_by``
    is who authorised it (the actor when not given); ``report``, ``escalation`` and
    ``info_request`` name what it came from."""
    if sharing.kind not in DisclosureKind.values:
        raise SharingRefused("Select what kind of disclosure it was.")
    shared_at = sharing.shared_at or timezone.now()
    if shared_at > timezone.now() + dt.timedelta(minutes=5):
        raise SharingRefused("The date it was shared must be today or in the past.")
    disclosure = Disclosure.objects.create(
        case=case,
        kind=sharing.kind,
        recipient_agency=_required(
            sharing.recipient_agency, "Enter the agency it was shared with.", 200
        ),
        recipient_person=_optional(sharing.recipient_person, 200),
        shared_at=shared_at,
        what_shared=_required(sharing.what_shared, "Enter what was shared.", 5000),
        purpose=_required(sharing.purpose, "Enter why it was shared.", 5000),
        lawful_basis=_active_basis(sharing.lawful_basis),
        authorised_by=authorised_by or actor,
        recorded_by=actor,
        report=report,
        escalation=escalation,
        request=info_request,
    )
    record_event(
        actor=actor,
        action="disclosure.record",
        obj=disclosure,
        reason=sharing.kind,
        changed_fields=["recipient_agency", "what_shared", "purpose", "lawful_basis"],
        request=request,
    )
    return disclosure


def escalation_logged(escalation) -> Disclosure | None:
    """Log a safeguarding escalation about a person as a disclosure, under the
    safeguarding basis, authorised by whoever escalated. Concerns about a mentor's own
    safety name no person and are not logged here."""
    concern = escalation.concern
    if concern.case_id is None:
        return None
    basis = LawfulBasis.objects.filter(code=SAFEGUARDING).first()
    if basis is None:
        return None
    return disclosure_record(
        actor=escalation.escalated_by,
        case=concern.case,
        sharing=Sharing(
            kind=DisclosureKind.SAFEGUARDING,
            recipient_agency=escalation.agency.name,
            what_shared=f"The safeguarding concern ({concern.category.name}) and what was "
            "seen or heard.",
            purpose="Safeguarding escalation by the safeguarding lead.",
            lawful_basis=basis,
            shared_at=escalation.escalated_at,
        ),
        escalation=escalation,
    )


# Requests for information ------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    kind: str
    requester_agency: str
    what_requested: str
    received_on: dt.date
    requester_person: str = ""
    requester_reference: str = ""
    respond_by: dt.date | None = None


@transaction.atomic
def request_log(*, actor, case: Case, received: Received, request=None) -> InformationRequest:
    if received.kind not in RequestKind.values:
        raise SharingRefused("Select who the request came from.")
    if received.received_on > timezone.localdate():
        raise SharingRefused("The date the request was received must be today or in the past.")
    if received.respond_by and received.respond_by < received.received_on:
        raise SharingRefused("The answer cannot be due before the request was received.")
    made = InformationRequest.objects.create(
        case=case,
        kind=received.kind,
        requester_agency=_required(
            received.requester_agency, "Enter the agency the request came from.", 200
        ),
        requester_person=_optional(received.requester_person, 200),
        requester_reference=_optional(received.requester_reference, 100),
        received_on=received.received_on,
        respond_by=received.respond_by,
        what_requested=_required(received.what_requested, "Enter what was asked for.", 5000),
        logged_by=actor,
    )
    record_event(
        actor=actor,
        action="information_request.log",
        obj=made,
        reason=received.kind,
        changed_fields=["requester_agency", "what_requested", "received_on"],
        request=request,
    )
    return made


@dataclass(frozen=True)
class Decision:
    decision: str
    reasons: str
    exemption: str = ""
    lawful_basis: LawfulBasis | None = None
    to_release: str = ""
    withheld: str = ""


def _check_decision(decision: Decision) -> None:
    if decision.decision not in RequestDecision.values:
        raise SharingRefused("Select whether to release, release in part or refuse.")
    if decision.decision in lifecycle.RELEASING:
        _active_basis(decision.lawful_basis)
        if decision.exemption not in Exemption.values:
            raise SharingRefused("Select the exemption relied on, or none.")
        _required(decision.to_release, "Enter what will be released.", 5000)
    if decision.decision == RequestDecision.PART_RELEASE:
        _required(decision.withheld, "Enter what will be withheld, and why.", 5000)
    _required(decision.reasons, "Enter the reasons for the decision.", 5000)


@transaction.atomic
def request_decide(
    *,
    actor,
    info_request: InformationRequest,
    decision: Decision,
    expected_version=None,
    request=None,
) -> InformationRequest:
    _check_decision(decision)
    locked = InformationRequest.objects.select_for_update().get(pk=info_request.pk)
    if expected_version is not None and locked.version != expected_version:
        raise SharingRefused(STALE)
    action = "decide" if locked.status == RequestStatus.LOGGED else "redecide"
    if not lifecycle.can(action, locked.status):
        raise SharingRefused("The request has been answered: its decision cannot change now.")
    releasing = decision.decision in lifecycle.RELEASING
    locked.decision = decision.decision
    locked.exemption = decision.exemption if releasing else ""
    locked.lawful_basis = decision.lawful_basis if releasing else None
    locked.to_release = decision.to_release.strip() if releasing else ""
    locked.withheld = (
        decision.withheld.strip() if decision.decision == RequestDecision.PART_RELEASE else ""
    )
    locked.decision_reasons = decision.reasons.strip()
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.status = lifecycle.REQUEST_ACTIONS[action].target
    locked.version += 1
    locked.save()
    record_event(
        actor=actor,
        action=f"information_request.{action}",
        obj=locked,
        reason=decision.decision,
        changed_fields=["decision", "exemption", "lawful_basis", "decision_reasons"],
        request=request,
    )
    return locked


@transaction.atomic
def request_answer(
    *,
    actor,
    info_request: InformationRequest,
    answered_on: dt.date,
    expected_version=None,
    request=None,
) -> InformationRequest:
    """Record that the request was answered; a release or part-release is logged as a
    disclosure authorised by whoever decided it."""
    locked = (
        InformationRequest.objects.select_for_update(of=("self",))
        .select_related("case", "lawful_basis")
        .get(pk=info_request.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise SharingRefused(STALE)
    if not lifecycle.can("answer", locked.status):
        raise SharingRefused("Decide the request before recording its answer.")
    if answered_on > timezone.localdate() or answered_on < locked.received_on:
        raise SharingRefused(
            "The date it was answered must be between the date it was received and today."
        )
    locked.status = lifecycle.REQUEST_ACTIONS["answer"].target
    locked.answered_by = actor
    locked.answered_on = answered_on
    locked.version += 1
    locked.save()
    record_event(
        actor=actor,
        action="information_request.answer",
        obj=locked,
        reason=locked.decision,
        changed_fields=["answered_on"],
        request=request,
    )
    if locked.decision in lifecycle.RELEASING:
        when = timezone.make_aware(dt.datetime.combine(answered_on, dt.time(12)))
        disclosure_record(
            actor=actor,
            case=locked.case,
            sharing=Sharing(
                kind=locked.kind,
                recipient_agency=locked.requester_agency,
                recipient_person=locked.requester_person,
                what_shared=locked.to_release,
                purpose=f"Answer to a {locked.get_kind_display().lower()}: "
                f"{locked.get_decision_display().lower()}.",
                lawful_basis=locked.lawful_basis,
                shared_at=min(when, timezone.now()),
            ),
            authorised_by=locked.decided_by,
            info_request=locked,
            request=request,
        )
    return locked


# Progress reports -------------------------------------------------------------------------


def compile_report(case: Case, *, period_start: dt.date, period_end: dt.date) -> dict:
    """What a progress report says, from what may be shared only: attendance, the
    shareable summaries of held sessions, the plan's goals and their latest attainment.
    Private notes, next steps and anything the person said to the mentor in confidence
    are never read here."""
    sessions = list(
        Session.objects.filter(
            case=case,
            starts_at__date__gte=period_start,
            starts_at__date__lte=period_end,
        )
        .exclude(status=SessionStatus.PLANNED)
        .select_related("case")
        .order_by("starts_at")
    )
    counts = {status: 0 for status in SessionStatus.values}
    for session in sessions:
        counts[session.status] += 1
    held = counts.get(SessionStatus.HELD, 0)
    missed = counts.get(SessionStatus.DID_NOT_ATTEND, 0)
    expected = held + missed
    latest_review = Review.objects.filter(case=case).order_by("-reviewed_on", "-pk").first()
    scores = {}
    if latest_review is not None:
        scores = dict(
            GoalScore.objects.filter(review=latest_review).values_list("goal_id", "score")
        )
    goals = [
        {
            "title": goal.title,
            "owner": goal.get_owner_display(),
            "score": scores.get(goal.pk),
        }
        for goal in Goal.objects.filter(case=case, is_active=True).select_related("case")
    ]
    return {
        "attendance": {
            "held": held,
            "did_not_attend": missed,
            "cancelled": counts.get(SessionStatus.CANCELLED, 0),
            "rate": round(100 * held / expected) if expected else None,
        },
        "sessions": [
            {"date": timezone.localdate(s.starts_at).isoformat(), "summary": s.summary}
            for s in sessions
            if s.status == SessionStatus.HELD and s.summary
        ],
        "goals": goals,
        "t_score": str(latest_review.t_score)
        if latest_review is not None and latest_review.t_score is not None
        else None,
        "reviewed_on": latest_review.reviewed_on.isoformat() if latest_review else None,
    }


@transaction.atomic
def report_compose(
    *,
    actor,
    case: Case,
    audience: str,
    period_start: dt.date,
    period_end: dt.date,
    overall: str = "",
    request=None,
) -> ProgressReport:
    if audience not in ReportAudience.values:
        raise SharingRefused("Select whom the report is for.")
    if period_start > period_end:
        raise SharingRefused("The period must start on or before the day it ends.")
    if period_end > timezone.localdate():
        raise SharingRefused("The period must end today or in the past.")
    report = ProgressReport.objects.create(
        case=case,
        audience=audience,
        period_start=period_start,
        period_end=period_end,
        contents=json.dumps(compile_report(case, period_start=period_start, period_end=period_end)),
        overall=_optional(overall, 5000),
        composed_by=actor,
    )
    record_event(
        actor=actor,
        action="progress_report.compose",
        obj=report,
        reason=audience,
        changed_fields=["period_start", "period_end", "overall"],
        request=request,
    )
    return report


@transaction.atomic
def report_release(
    *,
    actor,
    report: ProgressReport,
    recipient_agency: str,
    lawful_basis: LawfulBasis | None,
    recipient_person: str = "",
    request=None,
) -> ProgressReport:
    """Approve and release a draft report; the release is logged as a disclosure
    authorised by ``actor``. A report is released once."""
    locked = ProgressReport.objects.select_for_update().select_related("case").get(pk=report.pk)
    if locked.status != ReportStatus.DRAFT:
        raise SharingRefused("The report has already been released.")
    basis = _active_basis(lawful_basis)
    locked.status = ReportStatus.RELEASED
    locked.released_by = actor
    locked.released_at = timezone.now()
    locked.save(update_fields=["status", "released_by", "released_at"])
    record_event(
        actor=actor,
        action="progress_report.release",
        obj=locked,
        reason=locked.audience,
        changed_fields=["status"],
        request=request,
    )
    disclosure_record(
        actor=actor,
        case=locked.case,
        sharing=Sharing(
            kind=DisclosureKind.PROGRESS_REPORT,
            recipient_agency=recipient_agency,
            recipient_person=recipient_person,
            what_shared=(
                f"Progress report for {locked.period_start:%-d %B %Y} to "
                f"{locked.period_end:%-d %B %Y}: attendance, session summaries, goals and "
                "their attainment."
            ),
            purpose=f"Progress report to {locked.get_audience_display().lower()}.",
            lawful_basis=basis,
        ),
        report=locked,
        request=request,
    )
    return locked


def report_contents(report: ProgressReport) -> dict:
    try:
        return json.loads(report.contents)
    except (TypeError, ValueError):
        return {"attendance": {}, "sessions": [], "goals": []}
