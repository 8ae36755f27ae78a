"""Restricting processing (UK GDPR Article 18): placing and lifting a restriction, and
the hold it puts on matching (registered with ``tandem.matching.guards`` from
``PrivacyConfig.ready()``)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from tandem.audit.services import record_event
from tandem.cases.models import Case

from .models import Restriction

HOLD_REASON = (
    "processing is restricted at the person's request (UK GDPR Article 18) until the "
    "data-protection officer lifts the restriction."
)


class RestrictionRefused(Exception):
    """The step cannot be taken; the message says why and is safe to show."""


def standing(case: Case) -> Restriction | None:
    return Restriction.objects.filter(case=case, lifted_at__isnull=True).first()


def restriction_reason(case: Case) -> str | None:
    return HOLD_REASON if standing(case) is not None else None


def restricted_cases() -> Q:
    return Q(Exists(Restriction.objects.filter(case=OuterRef("pk"), lifted_at__isnull=True)))


def restriction_place(*, actor, case: Case, reason: str, request=None) -> Restriction:
    reason = (reason or "").strip()
    if not reason:
        raise RestrictionRefused("Enter the reason for the restriction.")
    if len(reason) > 300:
        raise RestrictionRefused("Keep the reason to 300 characters or fewer.")
    try:
        with transaction.atomic():
            made = Restriction.objects.create(case=case, reason=reason, placed_by=actor)
            record_event(
                actor=actor,
                action="restriction.place",
                obj=case,
                changed_fields=["restriction"],
                request=request,
            )
    except IntegrityError:
        raise RestrictionRefused("Processing is already restricted for this person.") from None
    return made


@transaction.atomic
def restriction_lift(*, actor, case: Case, request=None) -> Restriction:
    made = Restriction.objects.select_for_update().filter(case=case, lifted_at__isnull=True).first()
    if made is None:
        raise RestrictionRefused("Processing is not restricted for this person.")
    made.lifted_by = actor
    made.lifted_at = timezone.now()
    made.save(update_fields=["lifted_by", "lifted_at"])
    record_event(
        actor=actor,
        action="restriction.lift",
        obj=case,
        changed_fields=["restriction"],
        request=request,
    )
    return made
