"""Lone working: a mentor checks in at the start of a session at a place that needs it
and out at the end; ``manage.py lone_working_alerts`` alerts coordinators about a missed
check-out and escalates an alert nobody acknowledged.

Every step is a conditional update (``filter(<not done yet>).update(...)``): whoever
changes the row acts (notifies, audits), anyone else finds it done, so the command is
idempotent and two copies running at once alert once. Messages and emails name the case
reference and the mentor, never the person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.accounts.selectors import active_coordinators
from tandem.audit.services import record_event
from tandem.core.links import url_if_installed
from tandem.core.notifications import notify, send_email

from ..models import MeetingsPolicy, Session
from ..selectors.monitoring import IN_PLAY, escalation_candidates, missed_check_out_candidates

# A mentor may check in from this long before the session starts.
CHECK_IN_EARLY = dt.timedelta(hours=2)


class LoneWorkingRefused(Exception):
    """The check-in or check-out cannot be made; the message says why."""


def _safeguarding_leads():
    return User.objects.filter(is_active=True, role_grants__role=Role.SAFEGUARDING_LEAD).distinct()


def _refuse_unless_lone_working(session: Session) -> None:
    if not session.place_type.needs_lone_working:
        raise LoneWorkingRefused("This session does not need a lone-working check-in.")


def _refuse_unless_in_play(session: Session) -> None:
    if session.status not in IN_PLAY:
        raise LoneWorkingRefused(
            f"This session is “{session.get_status_display().lower()}”, so there is nothing "
            "to check in to."
        )


@transaction.atomic
def session_check_in(*, actor, session: Session, request=None) -> Session:
    """The mentor is at the session's place and starting."""
    now = timezone.now()
    _refuse_unless_lone_working(session)
    _refuse_unless_in_play(session)
    if now < session.starts_at - CHECK_IN_EARLY:
        raise LoneWorkingRefused("You can check in from two hours before the session starts.")
    if now > session.ends_at + dt.timedelta(hours=12):
        raise LoneWorkingRefused("This session was too long ago to check in to.")
    if not Session.objects.filter(pk=session.pk, checked_in_at__isnull=True).update(
        checked_in_at=now
    ):
        raise LoneWorkingRefused("You have already checked in to this session.")
    session.checked_in_at = now
    record_event(
        actor=actor,
        action="session.check_in",
        obj=session,
        request=request,
        changed_fields=["checked_in_at"],
    )
    return session


@transaction.atomic
def session_check_out(*, actor, session: Session, request=None) -> Session:
    """The mentor has left safely. A check-out after an alert tells whoever was alerted.
    Whatever became of the session (cancelled at the door, say), a mentor who checked in
    can always check out."""
    now = timezone.now()
    _refuse_unless_lone_working(session)
    if session.checked_in_at is None:
        raise LoneWorkingRefused("Check in first: you have not checked in to this session.")
    if not Session.objects.filter(pk=session.pk, checked_out_at__isnull=True).update(
        checked_out_at=now
    ):
        raise LoneWorkingRefused("You have already checked out of this session.")
    session.refresh_from_db(
        fields=["checked_out_at", "check_out_alerted_at", "check_out_acknowledged_at"]
    )
    record_event(
        actor=actor,
        action="session.check_out",
        obj=session,
        request=request,
        changed_fields=["checked_out_at"],
    )
    if session.check_out_alerted_at and not session.check_out_acknowledged_at:
        notify(
            users=active_coordinators(),
            message=f"{session.mentor.full_name} has now checked out of the session for "
            f"{session.case.reference}.",
            link=url_if_installed("meetings:lone_working_alerts"),
        )
    return session


@transaction.atomic
def lone_working_alert_acknowledge(*, actor, session: Session, request=None) -> Session:
    """A coordinator has picked up the missed check-out (and is contacting the mentor)."""
    now = timezone.now()
    done = Session.objects.filter(
        pk=session.pk,
        check_out_alerted_at__isnull=False,
        check_out_acknowledged_at__isnull=True,
    ).update(check_out_acknowledged_at=now, check_out_acknowledged_by=actor)
    if not done:
        raise LoneWorkingRefused("Someone has already acknowledged this alert.")
    session.check_out_acknowledged_at = now
    session.check_out_acknowledged_by = actor
    record_event(
        actor=actor,
        action="session.check_out_acknowledge",
        obj=session,
        request=request,
        changed_fields=["check_out_acknowledged_at", "check_out_acknowledged_by"],
    )
    return session


# Scheduled alerts ------------------------------------------------------------------------


@dataclass
class LoneWorkingRun:
    alerted: int = 0
    escalated: int = 0


def _tell(*, users, subject: str, message: str) -> None:
    """In-app and by email, once the transaction commits."""
    users = list(users)
    notify(users=users, message=message, link=url_if_installed("meetings:lone_working_alerts"))
    emails = list(dict.fromkeys(u.email for u in users if u.email))
    body = (
        f"{message}\n\nSign in to Tandem and open “Lone-working alerts” to acknowledge it, "
        f"then follow the scheme's lone-working procedure.\n\n{settings.TANDEM_SCHEME_NAME}\n"
    )

    for email in emails:
        send_email(to=email, subject=subject, body=body)


def _when(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%H:%M on %-d %B}"


def lone_working_alerts_run(*, now: dt.datetime | None = None) -> LoneWorkingRun:
    """Alert missed check-outs and escalate unacknowledged alerts (idempotent)."""
    now = now or timezone.now()
    policy = MeetingsPolicy.current()
    run = LoneWorkingRun()
    for session in missed_check_out_candidates(policy=policy, now=now):
        with transaction.atomic():
            won = Session.objects.filter(
                pk=session.pk, check_out_alerted_at__isnull=True, checked_out_at__isnull=True
            ).update(check_out_alerted_at=now)
            if not won:
                continue
            record_event(
                actor=None,
                action="session.check_out_missed",
                obj=session,
                changed_fields=["check_out_alerted_at"],
            )
            _tell(
                users=active_coordinators(),
                subject="Tandem: a mentor has not checked out",
                message=f"{session.mentor.full_name} has not checked out of the session for "
                f"{session.case.reference} ({session.place_type.name.lower()}), due to end at "
                f"{_when(session.ends_at)}.",
            )
            run.alerted += 1
    for session in escalation_candidates(policy=policy, now=now):
        with transaction.atomic():
            won = Session.objects.filter(
                pk=session.pk,
                check_out_escalated_at__isnull=True,
                check_out_acknowledged_at__isnull=True,
                checked_out_at__isnull=True,
            ).update(check_out_escalated_at=now)
            if not won:
                continue
            record_event(
                actor=None,
                action="session.check_out_escalate",
                obj=session,
                changed_fields=["check_out_escalated_at"],
            )
            _tell(
                users=[*active_coordinators(), *_safeguarding_leads()],
                subject="Tandem: URGENT: a missed check-out is not acknowledged",
                message=f"Nobody has acknowledged that {session.mentor.full_name} has not "
                f"checked out of the session for {session.case.reference} "
                f"({session.place_type.name.lower()}), due to end at "
                f"{_when(session.ends_at)}.",
            )
            run.escalated += 1
    return run
