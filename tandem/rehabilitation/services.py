"""Every change on the rehabilitation pathway goes through here.

Each service is one transaction that writes the change, one line on the case's
timeline (what happened, never what was written: no names, conditions or agencies) and
the audit event (field names only). A form posted from a stale page is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from tandem.accounts.selectors import active_coordinators
from tandem.audit.services import record_event
from tandem.cases.models import Case, Pathway
from tandem.cases.services.lifecycle import case_event_add
from tandem.catalogues.models import Area
from tandem.core.links import url_if_installed
from tandem.core.models import assign_changes
from tandem.core.notifications import notify
from tandem.matching.models import WORKING, Match
from tandem.meetings.models import Session, SessionStatus

from .models import (
    NAMED_KINDS,
    ConditionKind,
    CustodyStatus,
    CustodyVisit,
    LicenceCondition,
    PanelDecision,
    PanelKind,
    PanelMeeting,
    ProtectionLevel,
    RehabilitationPolicy,
    RehabilitationRecord,
    ReleaseAlert,
    ReleaseAlertKind,
)
from .rules import CUSTODY_PLACE
from .selectors import releases_overdue, releases_to_prompt


class RehabilitationRefused(Exception):
    """The change cannot be made; the message says why and is safe to show."""


class RehabilitationConflict(RehabilitationRefused):
    def __init__(self, message: str = ""):
        super().__init__(
            message
            or "Someone else changed this while you were working on it. Your changes have not "
            "been saved: check it as it is now, then try again."
        )


# Details -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Details:
    custody_status: str
    establishment: str = ""
    expected_release_date: dt.date | None = None
    licence_end_date: dt.date | None = None
    offender_manager_name: str = ""
    offender_manager_contact: str = ""
    protection_level: str = ProtectionLevel.NOT_KNOWN


DETAIL_FIELDS = (
    "custody_status",
    "establishment",
    "expected_release_date",
    "licence_end_date",
    "offender_manager_name",
    "offender_manager_contact",
    "protection_level",
)


def _check_details(details: Details) -> None:
    if details.custody_status not in CustodyStatus.values:
        raise RehabilitationRefused("Select the custody status from the list.")
    if details.protection_level not in ProtectionLevel.values:
        raise RehabilitationRefused("Select the public-protection level from the list.")
    if (
        details.licence_end_date
        and details.expected_release_date
        and details.licence_end_date < details.expected_release_date
    ):
        raise RehabilitationRefused("The licence cannot end before the release date.")
    for name, limit in (
        ("establishment", 200),
        ("offender_manager_name", 200),
        ("offender_manager_contact", 200),
    ):
        if len(getattr(details, name)) > limit:
            raise RehabilitationRefused(f"Keep each answer to {limit} characters or fewer.")


@transaction.atomic
def details_save(
    *,
    actor,
    case: Case,
    details: Details,
    expected_version: int | None = None,
    request=None,
) -> RehabilitationRecord:
    """Create or change the case's custody, release and licence details."""
    _check_details(details)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.pathway != Pathway.REHABILITATION:
        raise RehabilitationRefused(
            "The case is on the prevention pathway: change its pathway first."
        )
    record = RehabilitationRecord.objects.select_for_update().filter(case=case).first()
    values = {
        name: (getattr(details, name) or "").strip()
        if isinstance(getattr(details, name), str)
        else getattr(details, name)
        for name in DETAIL_FIELDS
    }
    if record is None:
        record = RehabilitationRecord(case=case, updated_by=actor, **values)
        record.save()
        changed = list(DETAIL_FIELDS)
        summary = "Rehabilitation details recorded"
    else:
        if expected_version is not None and record.version != expected_version:
            raise RehabilitationConflict()
        before_status = record.custody_status
        changed = assign_changes(record, values)
        if not changed:
            return record
        record.version += 1
        record.updated_by = actor
        record.updated_at = timezone.now()
        record.save()
        summary = "Rehabilitation details changed"
        if "custody_status" in changed:
            summary = (
                f"Custody status changed from {CustodyStatus(before_status).label.lower()} to "
                f"{CustodyStatus(record.custody_status).label.lower()}"
            )
        elif "expected_release_date" in changed:
            summary = "Expected release date changed"
    case_event_add(case=case, kind="rehabilitation.details", summary=summary, actor=actor)
    record_event(
        actor=actor,
        action="rehabilitation.details_save",
        obj=record,
        request=request,
        changed_fields=changed,
    )
    return record


# Licence conditions --------------------------------------------------------------------


@transaction.atomic
def condition_add(
    *,
    actor,
    case: Case,
    kind: str,
    area: Area | None = None,
    names: str = "",
    details: str = "",
    request=None,
) -> LicenceCondition:
    if kind not in ConditionKind.values:
        raise RehabilitationRefused("Select the kind of condition from the list.")
    names = "\n".join(" ".join(n.split()) for n in (names or "").splitlines() if n.strip())
    details = (details or "").strip()
    if kind == ConditionKind.EXCLUSION_ZONE and area is None:
        raise RehabilitationRefused("Select the area the person is excluded from.")
    if kind == ConditionKind.EXCLUSION_ZONE and not area.is_active:
        raise RehabilitationRefused("Select an area from the list: that one is retired.")
    if kind in NAMED_KINDS and not names:
        raise RehabilitationRefused("Enter the names of the people, one on each line.")
    if kind not in NAMED_KINDS | {ConditionKind.EXCLUSION_ZONE} and not details:
        raise RehabilitationRefused("Describe the condition.")
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.pathway != Pathway.REHABILITATION:
        raise RehabilitationRefused(
            "The case is on the prevention pathway: change its pathway first."
        )
    condition = LicenceCondition.objects.create(
        case=case,
        kind=kind,
        area=area if kind == ConditionKind.EXCLUSION_ZONE else None,
        names=names if kind in NAMED_KINDS else "",
        details=details,
        added_by=actor,
    )
    case_event_add(
        case=case,
        kind="rehabilitation.condition_add",
        summary=f"Licence condition added: {condition.get_kind_display().lower()}",
        actor=actor,
    )
    record_event(
        actor=actor,
        action="rehabilitation.condition_add",
        obj=condition,
        request=request,
        changed_fields=["kind", "area", "names", "details"],
    )
    return condition


@transaction.atomic
def condition_end(
    *, actor, condition: LicenceCondition, ended_on: dt.date, request=None
) -> LicenceCondition:
    condition = (
        LicenceCondition.objects.select_for_update().select_related("case").get(pk=condition.pk)
    )
    if condition.ended_on is not None:
        raise RehabilitationRefused("This condition has already ended.")
    if ended_on > timezone.localdate():
        raise RehabilitationRefused("The date the condition ended must be today or in the past.")
    condition.ended_on = ended_on
    condition.ended_by = actor
    condition.save(update_fields=["ended_on", "ended_by"])
    case_event_add(
        case=condition.case,
        kind="rehabilitation.condition_end",
        summary=f"Licence condition ended: {condition.get_kind_display().lower()}",
        actor=actor,
    )
    record_event(
        actor=actor,
        action="rehabilitation.condition_end",
        obj=condition,
        request=request,
        changed_fields=["ended_on", "ended_by"],
    )
    return condition


# Visits in custody ---------------------------------------------------------------------


@transaction.atomic
def visit_save(
    *,
    actor,
    session: Session,
    establishment: str,
    booking_reference: str,
    booked_on: dt.date,
    expected_version: int | None = None,
    request=None,
) -> CustodyVisit:
    """Record (or change) the establishment and visit booking of a session in custody."""
    session = (
        Session.objects.select_for_update().select_related("place_type", "case").get(pk=session.pk)
    )
    if session.place_type.code != CUSTODY_PLACE:
        raise RehabilitationRefused("Only a session in custody has a visit booking.")
    if session.status not in (SessionStatus.PLANNED, SessionStatus.HELD):
        raise RehabilitationRefused(
            f"This session is “{session.get_status_display().lower()}”: its visit booking "
            "can no longer be changed."
        )
    establishment = " ".join((establishment or "").split())
    booking_reference = " ".join((booking_reference or "").split())
    if not establishment or not booking_reference:
        raise RehabilitationRefused("Enter the establishment and the booking reference.")
    if booked_on > timezone.localdate():
        raise RehabilitationRefused("The date the visit was booked must be today or in the past.")
    visit = CustodyVisit.objects.select_for_update().filter(session=session).first()
    if visit is None:
        visit = CustodyVisit.objects.create(
            session=session,
            case=session.case,
            establishment=establishment,
            booking_reference=booking_reference,
            booked_on=booked_on,
            recorded_by=actor,
        )
        changed = ["establishment", "booking_reference", "booked_on"]
        summary = "Visit in custody booked"
    else:
        if expected_version is not None and visit.version != expected_version:
            raise RehabilitationConflict()
        changed = assign_changes(
            visit,
            {
                "establishment": establishment,
                "booking_reference": booking_reference,
                "booked_on": booked_on,
            },
        )
        if not changed:
            return visit
        visit.version += 1
        visit.recorded_by = actor
        visit.recorded_at = timezone.now()
        visit.save()
        summary = "Visit booking in custody changed"
    when = timezone.localtime(session.starts_at)
    case_event_add(
        case=session.case,
        kind="rehabilitation.visit",
        summary=f"{summary} for the session of {when:%-d %B %Y}",
        actor=actor,
    )
    record_event(
        actor=actor,
        action="rehabilitation.visit_save",
        obj=visit,
        request=request,
        changed_fields=changed,
    )
    return visit


# The multi-agency panel ----------------------------------------------------------------


@dataclass(frozen=True)
class PanelAnswers:
    kind: str
    met_on: dt.date
    decision: str = ""
    agencies_present: str = ""
    actions: str = ""
    signposted_to: str = ""


def _check_panel(answers: PanelAnswers) -> None:
    if answers.kind not in PanelKind.values:
        raise RehabilitationRefused("Select whether this is a presentation or a review.")
    if answers.decision not in ("", *PanelDecision.values):
        raise RehabilitationRefused("Select the panel's decision from the list.")
    if answers.met_on > timezone.localdate():
        raise RehabilitationRefused("The date of the panel must be today or in the past.")
    if answers.decision and not answers.agencies_present.strip():
        raise RehabilitationRefused("Enter the agencies present when the panel decided.")
    if answers.decision == PanelDecision.SIGNPOST and not answers.signposted_to.strip():
        raise RehabilitationRefused("Enter where the panel signposted the person.")


def _next_review(answers: PanelAnswers) -> dt.date | None:
    if answers.decision != PanelDecision.ADOPT:
        return None
    weeks = RehabilitationPolicy.current().panel_review_weeks
    return answers.met_on + dt.timedelta(weeks=weeks)


def _panel_summary(meeting: PanelMeeting) -> str:
    what = "Panel review" if meeting.kind == PanelKind.REVIEW else "Presented to the panel"
    if not meeting.decision:
        return f"{what} on {meeting.met_on:%-d %B %Y}: decision to follow"
    return f"{what} on {meeting.met_on:%-d %B %Y}: {meeting.get_decision_display().lower()}"


@transaction.atomic
def panel_record(*, actor, case: Case, answers: PanelAnswers, request=None) -> PanelMeeting:
    """Record the case's presentation to (or review by) the panel, with its decision
    when the panel has decided. An adoption sets the next review."""
    _check_panel(answers)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.pathway != Pathway.REHABILITATION:
        raise RehabilitationRefused(
            "The case is on the prevention pathway: change its pathway first."
        )
    meeting = PanelMeeting.objects.create(
        case=case,
        kind=answers.kind,
        met_on=answers.met_on,
        decision=answers.decision,
        decided_on=answers.met_on if answers.decision else None,
        agencies_present=answers.agencies_present.strip(),
        actions=answers.actions.strip(),
        signposted_to=answers.signposted_to.strip()
        if answers.decision == PanelDecision.SIGNPOST
        else "",
        next_review_due=_next_review(answers),
        recorded_by=actor,
    )
    # A newer review replaces the due date of the earlier ones.
    PanelMeeting.objects.filter(case=case, next_review_due__isnull=False).exclude(
        pk=meeting.pk
    ).update(next_review_due=None)
    case_event_add(
        case=case, kind="rehabilitation.panel", summary=_panel_summary(meeting), actor=actor
    )
    record_event(
        actor=actor,
        action="rehabilitation.panel_record",
        obj=meeting,
        request=request,
        changed_fields=["kind", "met_on", "decision", "agencies_present", "actions"],
    )
    return meeting


@transaction.atomic
def panel_decide(
    *,
    actor,
    meeting: PanelMeeting,
    answers: PanelAnswers,
    expected_version: int | None = None,
    request=None,
) -> PanelMeeting:
    """Record the decision of a panel meeting that had none yet."""
    if not answers.decision:
        raise RehabilitationRefused("Select the panel's decision.")
    _check_panel(answers)
    meeting = PanelMeeting.objects.select_for_update().select_related("case").get(pk=meeting.pk)
    if expected_version is not None and meeting.version != expected_version:
        raise RehabilitationConflict()
    if meeting.decision:
        raise RehabilitationRefused("The panel's decision on this meeting is already recorded.")
    meeting.met_on = answers.met_on
    meeting.decision = answers.decision
    meeting.decided_on = answers.met_on
    meeting.agencies_present = answers.agencies_present.strip()
    meeting.actions = answers.actions.strip()
    meeting.signposted_to = (
        answers.signposted_to.strip() if answers.decision == PanelDecision.SIGNPOST else ""
    )
    meeting.next_review_due = _next_review(answers)
    meeting.version += 1
    meeting.save()
    PanelMeeting.objects.filter(case=meeting.case, next_review_due__isnull=False).exclude(
        pk=meeting.pk
    ).update(next_review_due=None)
    case_event_add(
        case=meeting.case,
        kind="rehabilitation.panel",
        summary=_panel_summary(meeting),
        actor=actor,
    )
    record_event(
        actor=actor,
        action="rehabilitation.panel_decide",
        obj=meeting,
        request=request,
        changed_fields=["decision", "decided_on", "agencies_present", "actions"],
    )
    return meeting


# The policy ----------------------------------------------------------------------------

POLICY_FIELDS = (
    "first_meeting_days",
    "release_prompt_days",
    "panel_review_weeks",
    "panel_before_matching",
)


@transaction.atomic
def policy_update(*, actor, data: dict, request=None) -> list[str]:
    policy = RehabilitationPolicy.objects.select_for_update().get(
        pk=RehabilitationPolicy.current().pk
    )
    for name, low, high in (
        ("first_meeting_days", 1, 90),
        ("release_prompt_days", 1, 180),
        ("panel_review_weeks", 1, 104),
    ):
        if not low <= int(data[name]) <= high:
            raise RehabilitationRefused(f"Each number must be between {low} and {high}.")
    changed = assign_changes(policy, {name: data[name] for name in POLICY_FIELDS})
    if changed:
        policy.save()
        record_event(
            actor=actor,
            action="rehabilitation.policy_update",
            obj=policy,
            request=request,
            changed_fields=changed,
        )
    return changed


# Release prompts and contact alerts ----------------------------------------------------


@dataclass
class AlertRun:
    prompted: list
    raised: list
    resolved: int


def _insert_alert(case_id: int, kind: str, release_date: dt.date) -> bool:
    """Insert the alert in its own savepoint; False when it exists already (a second run,
    or a concurrent one, finds the row taken and sends nothing)."""
    try:
        with transaction.atomic():
            ReleaseAlert.objects.create(case_id=case_id, kind=kind, release_date=release_date)
    except IntegrityError:
        return False
    return True


def _matched_mentor_users(case_ids) -> dict[int, list[int]]:
    users: dict[int, list[int]] = {}
    for case_id, user_id in Match.objects.filter(
        case_id__in=case_ids, status__in=WORKING, mentor__user__is_active=True
    ).values_list("case_id", "mentor__user_id"):
        users.setdefault(case_id, []).append(user_id)
    return users


def release_alerts_raise(*, today: dt.date | None = None) -> AlertRun:
    """Prompt coordinators and the matched mentor once per release coming within the
    policy's window; raise a contact alert once per release whose first meeting was not
    held within the policy's days; resolve alerts once a meeting after release is held.
    Idempotent; messages name the case reference only."""
    today = today or timezone.localdate()
    policy = RehabilitationPolicy.current()
    coordinators = list(active_coordinators())
    run = AlertRun(prompted=[], raised=[], resolved=0)

    to_prompt = list(releases_to_prompt(today, policy).select_related("case"))
    mentors = _matched_mentor_users([r.case_id for r in to_prompt])
    for record in to_prompt:
        with transaction.atomic():
            if not _insert_alert(
                record.case_id, ReleaseAlertKind.PROMPT, record.expected_release_date
            ):
                continue
            due_by = record.expected_release_date + dt.timedelta(days=policy.first_meeting_days)
            notify(
                users=[*coordinators, *mentors.get(record.case_id, [])],
                message=f"{record.case.reference} is due to be released on "
                f"{record.expected_release_date:%-d %B %Y}. Plan the first meeting after "
                f"release, by {due_by:%-d %B %Y}.",
                link=url_if_installed("rehabilitation:case", pk=record.case_id),
            )
            case_event_add(
                case=record.case,
                kind="rehabilitation.release_prompt",
                summary="Release coming: coordinators and the mentor prompted to plan the "
                "first meeting after release",
            )
            record_event(
                actor=None,
                action="release_alert.prompt",
                object_type="cases.case",
                object_id=str(record.case_id),
                changed_fields=["release_date"],
            )
            run.prompted.append(record.case.reference)

    for record in releases_overdue(today, policy).select_related("case"):
        with transaction.atomic():
            if not _insert_alert(
                record.case_id, ReleaseAlertKind.OVERDUE, record.expected_release_date
            ):
                continue
            notify(
                users=coordinators,
                message=f"Contact alert: no meeting has been held with {record.case.reference} "
                f"within {policy.first_meeting_days} days of their release on "
                f"{record.expected_release_date:%-d %B %Y}.",
                link=url_if_installed("rehabilitation:case", pk=record.case_id),
            )
            case_event_add(
                case=record.case,
                kind="rehabilitation.release_overdue",
                summary="Contact alert: no meeting held in time after release",
            )
            record_event(
                actor=None,
                action="release_alert.raise",
                object_type="cases.case",
                object_id=str(record.case_id),
                changed_fields=["release_date"],
            )
            run.raised.append(record.case.reference)

    # Resolve open alerts once a meeting after that release has been held.
    held = Session.objects.filter(
        case_id=OuterRef("case_id"),
        status=SessionStatus.HELD,
        starts_at__date__gte=OuterRef("release_date"),
    )
    for alert in ReleaseAlert.objects.filter(
        kind=ReleaseAlertKind.OVERDUE, resolved_at__isnull=True
    ).filter(Exists(held)):
        changed = ReleaseAlert.objects.filter(pk=alert.pk, resolved_at__isnull=True).update(
            resolved_at=timezone.now()
        )
        if changed:
            record_event(
                actor=None,
                action="release_alert.resolve",
                obj=alert,
                changed_fields=["resolved_at"],
            )
            run.resolved += 1
    return run
