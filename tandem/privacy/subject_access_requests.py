"""Subject access requests: logged with their deadline (one calendar month from
receipt), extended by up to two more months with a reason, completed. Each step is
audited."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.utils import timezone

from tandem.audit.services import record_event
from tandem.cases.models import Case

from .models import SubjectAccessRequest


class SubjectAccessRefused(Exception):
    """The step cannot be taken; the message says why and is safe to show."""


def _about(person) -> dict:
    """The request's key for ``person``: a case (someone supported) or a mentor."""
    return {"case": person} if isinstance(person, Case) else {"mentor": person}


def open_request(case) -> SubjectAccessRequest | None:
    return SubjectAccessRequest.objects.filter(**_about(case), completed_on__isnull=True).first()


def overdue_and_open(*, today: dt.date | None = None) -> list[SubjectAccessRequest]:
    """Every open request, people supported and mentors alike, the earliest deadline
    first (the officer's list; ``deadline < today`` marks it overdue)."""
    rows = list(
        SubjectAccessRequest.objects.filter(completed_on__isnull=True).select_related(
            "case", "mentor"
        )
    )
    return sorted(rows, key=lambda r: (r.deadline, r.pk))


def sar_log(*, actor, case, received_on: dt.date, request=None) -> SubjectAccessRequest:
    """Log a request by ``case``'s person, or by a mentor (``case`` is then the Mentor)."""
    if received_on > timezone.localdate():
        raise SubjectAccessRefused("The date received must be today or in the past.")
    try:
        with transaction.atomic():
            made = SubjectAccessRequest.objects.create(
                **_about(case),
                received_on=received_on,
                due_on=received_on + relativedelta(months=1),
                logged_by=actor,
            )
            record_event(
                actor=actor,
                action="subject_access.log",
                obj=case,
                changed_fields=["received_on", "due_on"],
                request=request,
            )
    except IntegrityError:
        raise SubjectAccessRefused("This person already has an open request.") from None
    return made


@transaction.atomic
def sar_extend(*, actor, case, months: int, reason: str, request=None):
    sar = (
        SubjectAccessRequest.objects.select_for_update()
        .filter(**_about(case), completed_on__isnull=True)
        .first()
    )
    if sar is None:
        raise SubjectAccessRefused("This person has no open request.")
    if months not in (1, 2):
        raise SubjectAccessRefused("Extend by one or two months.")
    reason = (reason or "").strip()
    if not reason:
        raise SubjectAccessRefused("Enter the reason for the extension.")
    if len(reason) > 300:
        raise SubjectAccessRefused("Keep the reason to 300 characters or fewer.")
    sar.extended_to = sar.due_on + relativedelta(months=months)
    sar.extension_reason = reason
    sar.save(update_fields=["extended_to", "extension_reason"])
    record_event(
        actor=actor,
        action="subject_access.extend",
        obj=case,
        changed_fields=["extended_to", "extension_reason"],
        request=request,
    )
    return sar


@transaction.atomic
def sar_complete(*, actor, case, request=None):
    sar = (
        SubjectAccessRequest.objects.select_for_update()
        .filter(**_about(case), completed_on__isnull=True)
        .first()
    )
    if sar is None:
        raise SubjectAccessRefused("This person has no open request.")
    sar.completed_on = timezone.localdate()
    sar.completed_by = actor
    sar.save(update_fields=["completed_on", "completed_by"])
    record_event(
        actor=actor,
        action="subject_access.complete",
        obj=case,
        changed_fields=["completed_on"],
        request=request,
    )
    return sar
