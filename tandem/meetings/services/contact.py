"""Contact monitoring: coordinator check-ins and the scheduled contact alerts.

``contact_alerts_raise`` is run by ``manage.py contact_alerts``. For each gap in contact
(see ``selectors.gaps_of``) it inserts a ContactAlert named by the gap's anchor. The
unique constraint on (case, kind, anchor) decides who alerts: each insert runs in its
own savepoint and a duplicate is ignored, so a gap is alerted once, also when two copies
of the command run at once (the second waits for the first's row and then finds it
taken). Only the run that inserted the row notifies. Open alerts whose gap is no longer
current (a session was held, the match ended) are resolved.

Notifications and emails name the case reference only, never the person.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from tandem.accounts.selectors import active_coordinators
from tandem.audit.services import record_event
from tandem.cases.models import Case
from tandem.cases.services.lifecycle import case_event_add
from tandem.core.links import url_if_installed
from tandem.core.notifications import notify, send_email
from tandem.matching.models import Match, MatchStatus

from ..contact_summary import FIELDS, derived
from ..models import (
    CheckInOutcome,
    CheckInWith,
    ContactAlert,
    ContactAlertKind,
    CoordinatorCheckIn,
    MatchContact,
    MeetingsPolicy,
    Session,
)
from ..selectors.monitoring import gaps_of, overdue_matches

logger = logging.getLogger(__name__)


class ContactRefused(Exception):
    """The change cannot be made; the message says why and is safe to show."""


@transaction.atomic
def contact_list_audit(*, actor, request=None) -> None:
    """The contact-overdue list names cases and their mentors: listing them is a read of
    record."""
    record_event(actor=actor, action="contact.list", object_type="cases.case", request=request)


@transaction.atomic
def coordinator_check_in_record(
    *, actor, case: Case, contacted: str, outcome: str, note: str = "", request=None
) -> CoordinatorCheckIn:
    """A coordinator's contact with someone about a case's contact. The note is
    encrypted; the timeline and the audit log say who was contacted and the outcome."""
    if contacted not in CheckInWith.values:
        raise ContactRefused("Choose who you contacted.")
    if outcome not in CheckInOutcome.values:
        raise ContactRefused("Choose the outcome.")
    check_in = CoordinatorCheckIn.objects.create(
        case=case, contacted=contacted, outcome=outcome, note=note.strip(), recorded_by=actor
    )
    outcome_label = CheckInOutcome(outcome).label
    case_event_add(
        case=case,
        kind="contact.check_in",
        summary=f"Coordinator check-in with {CheckInWith(contacted).label.lower()}: "
        f"{outcome_label[0].lower()}{outcome_label[1:]}",
        actor=actor,
    )
    record_event(
        actor=actor,
        action="contact.check_in",
        obj=check_in,
        request=request,
        changed_fields=["contacted", "outcome", "note"]
        if note.strip()
        else ["contacted", "outcome"],
    )
    return check_in


# The contact summary -------------------------------------------------------------------

REFRESH_CHUNK = 2000


def contact_summary_refresh(match_ids) -> int:
    """Derive the contact summary of each match in ``match_ids`` from its sessions and
    store it; returns how many stored rows it had to change.

    Each chunk locks its summary rows before it reads the sessions, so two refreshes of
    one match (two sessions saved at once, or a save during a ``contact_alerts`` run)
    take turns, and the second reads the sessions the first committed: the stored row is
    never older than the last committed session. Only summary rows are locked here, so
    this cannot deadlock with the session services' own locks."""
    ids = sorted(set(match_ids))
    changed = 0
    for start in range(0, len(ids), REFRESH_CHUNK):
        chunk = ids[start : start + REFRESH_CHUNK]
        with transaction.atomic():
            MatchContact.objects.bulk_create(
                [MatchContact(match_id=pk) for pk in chunk], ignore_conflicts=True
            )
            stored = {
                row[0]: row[1:]
                for row in MatchContact.objects.select_for_update()
                .filter(pk__in=chunk)
                .order_by("pk")
                .values_list("pk", *FIELDS)
            }
            stale = [
                MatchContact(match_id=pk, **dict(zip(FIELDS, values, strict=True)))
                for pk, *values in derived(Match.objects.filter(pk__in=chunk), Session)
                if tuple(values) != stored.get(pk)
            ]
            MatchContact.objects.bulk_update(stale, FIELDS, batch_size=500)
            changed += len(stale)
    return changed


# Scheduled alerts ------------------------------------------------------------------------


@dataclass
class AlertRun:
    raised: list[ContactAlert] = field(default_factory=list)
    resolved: int = 0
    repaired: int = 0  # stored contact summaries that differed from the sessions


def _message(alert: ContactAlert) -> str:
    if alert.kind == ContactAlertKind.MISSED:
        return f"Contact is overdue for {alert.case.reference}: several did-not-attends in a row."
    return f"Contact is overdue for {alert.case.reference}: no session held for too long."


def _raise_one(*, case: Case, kind: str, anchor: str, now: dt.datetime) -> ContactAlert | None:
    """Insert the alert unless this gap was alerted already; the winner notifies."""
    try:
        with transaction.atomic():
            alert = ContactAlert.objects.create(case=case, kind=kind, anchor=anchor, raised_at=now)
            record_event(
                actor=None,
                action="contact_alert.raise",
                obj=alert,
                changed_fields=["case", "kind", "anchor"],
            )
            notify(
                users=active_coordinators(),
                message=_message(alert),
                link=url_if_installed("meetings:contact_overdue"),
            )
    except IntegrityError:
        return None  # this gap is alerted already (by an earlier or a concurrent run)
    return alert


def _email_coordinators(alerts: list[ContactAlert]) -> None:
    if not alerts:
        return
    lines = [f"- {alert.case.reference}: {_message(alert).split(': ', 1)[1]}" for alert in alerts]
    body = (
        f"Contact with {len(alerts)} case{'s' if len(alerts) != 1 else ''} is overdue:\n\n"
        + "\n".join(lines)
        + f"\n\nSign in to Tandem and open “Contact overdue” to see them and record a "
        f"check-in.\n\n{settings.TANDEM_SCHEME_NAME}\n"
    )
    subject = "Tandem: contact overdue"
    for email in active_coordinators().values_list("email", flat=True):
        send_email(to=email, subject=subject, body=body)


def contact_alerts_raise(*, now: dt.datetime | None = None) -> AlertRun:
    """Raise an alert for every new gap in contact and resolve those that closed."""
    now = now or timezone.now()
    policy = MeetingsPolicy.current()
    run = AlertRun()
    # The pages trust the stored summaries; each run checks them all against the
    # sessions first, so a summary can never stay wrong for longer than an hour.
    run.repaired = contact_summary_refresh(
        Match.objects.filter(status=MatchStatus.ACTIVE).values_list("pk", flat=True)
    )
    if run.repaired:
        logger.warning("Contact summaries repaired: %d", run.repaired)
    current: set[tuple[int, str, str]] = set()
    for match in overdue_matches(policy=policy, now=now).iterator(chunk_size=500):
        for gap in gaps_of(match, policy=policy, now=now):
            current.add((match.case_id, gap.kind, gap.anchor))
            alert = _raise_one(case=match.case, kind=gap.kind, anchor=gap.anchor, now=now)
            if alert is not None:
                run.raised.append(alert)
    for alert in ContactAlert.objects.filter(resolved_at__isnull=True).only(
        "pk", "case_id", "kind", "anchor"
    ):
        if (alert.case_id, alert.kind, alert.anchor) in current:
            continue
        with transaction.atomic():
            # Conditional: a concurrent run resolving the same alert does it once.
            if ContactAlert.objects.filter(pk=alert.pk, resolved_at__isnull=True).update(
                resolved_at=now
            ):
                record_event(
                    actor=None,
                    action="contact_alert.resolve",
                    obj=alert,
                    changed_fields=["resolved_at"],
                )
                run.resolved += 1
    _email_coordinators(run.raised)
    return run
