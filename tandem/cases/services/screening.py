"""Screening and consent.

Screening sorts a referral into clear vulnerability, possible vulnerability with
limited information, or not appropriate (which ends the case as not suitable). Support
is voluntary: the person, or for a child a parent or guardian, must consent before
assessment starts, and may withdraw at any time, which ends the case properly while
keeping the record.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tandem.audit.services import record_event

from ..ages import age_of
from ..consent_rule import COMPETENT_CHILD, OLDER_CHILD, current_rule
from ..lifecycle import ACTIONS
from ..models import (
    Case,
    CaseStatus,
    ChildAgreement,
    Consent,
    ConsentDecision,
    ConsentGiver,
    ConsentMethod,
    ScreeningOutcome,
)
from ..selectors import current_consent
from .lifecycle import (
    LifecycleRefused,
    case_change_status,
    case_event_add,
    case_transition,
    case_version_claim,
)

SCREENABLE = frozenset({CaseStatus.REFERRED, CaseStatus.SCREENING})
SCREENED_IN = frozenset({ScreeningOutcome.CLEAR, ScreeningOutcome.POSSIBLE})
# Consent can be given while the person is still with the scheme.
CONSENT_OPEN = frozenset(
    {
        CaseStatus.REFERRED,
        CaseStatus.SCREENING,
        CaseStatus.ASSESSMENT,
        CaseStatus.AWAITING_MATCH,
        CaseStatus.MATCHED,
        CaseStatus.ACTIVE,
        CaseStatus.CLOSING,
        CaseStatus.ON_HOLD,
    }
)
GIVER_WORDS = {
    ConsentGiver.PERSON: "the person",
    ConsentGiver.PARENT: "a parent",
    ConsentGiver.GUARDIAN: "a guardian or carer",
}


class ScreeningRefused(LifecycleRefused):
    """A screening or consent decision that cannot be recorded; safe to show."""


# Screening -----------------------------------------------------------------------------


@transaction.atomic
def screening_record(
    *,
    actor,
    case: Case,
    outcome: str,
    notes: str = "",
    reason: str = "",
    expected_version: int | None = None,
    request=None,
) -> Case:
    """Record the screening of a referred case.

    Not appropriate ends the case as not suitable (the reason is required and goes on
    the timeline). Otherwise the outcome is recorded and a case still "referred" moves
    to screening; it moves on to assessment when consent is given (at once, if a
    current consent is already on record).
    """
    if outcome not in ScreeningOutcome.values:
        raise ScreeningRefused("Select the outcome of the screening.")
    reason = (reason or "").strip()
    notes = (notes or "").strip()
    updates = {
        "screening_outcome": outcome,
        "screening_notes": notes,
        "screened_by": actor,
        "screened_at": timezone.now(),
    }
    if outcome == ScreeningOutcome.NOT_APPROPRIATE:
        if not reason:
            raise ScreeningRefused("Give the reason why the referral is not appropriate.")
        return case_change_status(
            actor=actor,
            case=case,
            action="screen_out",
            reason=reason,
            expected_version=expected_version,
            request=request,
            updates=updates,
            summary="Screened out: not appropriate",
        )

    locked = case_version_claim(case=case, expected_version=expected_version)
    if locked.status not in SCREENABLE:
        raise ScreeningRefused(
            f"A case that is {CaseStatus(locked.status).label.lower()} cannot be screened: "
            "screening happens before assessment."
        )
    summary = f"Screening recorded: {ScreeningOutcome(outcome).label.lower()}"
    if locked.status == CaseStatus.REFERRED:
        locked = case_transition(
            actor=actor,
            case=locked,
            action="start_screening",
            updates=updates,
            summary=summary,
            request=request,
        )
    else:
        for field, value in updates.items():
            setattr(locked, field, value)
        locked.save(update_fields=list(updates))
        case_event_add(case=locked, kind="screening.recorded", summary=summary, actor=actor)
        record_event(
            actor=actor,
            action="case.screening_record",
            obj=locked,
            request=request,
            changed_fields=list(updates),
        )
    if current_consent(locked) is not None:
        locked = case_transition(
            actor=actor,
            case=locked,
            action="screen_in",
            summary="Screened in with consent: assessment can start",
            request=request,
        )
    return locked


# Consent -------------------------------------------------------------------------------


def _check_consent(
    case: Case,
    *,
    decision,
    given_by,
    giver_name,
    decided_on,
    method,
    capacity_confirmed=False,
    child_agreement="",
    competence_assessed_by="",
    competence_assessed_on=None,
) -> str:
    """Refuse what the consent rule does not allow; return the rule's age band."""
    if decision not in ConsentDecision.values:
        raise ScreeningRefused("Select whether consent was given or declined.")
    if given_by not in ConsentGiver.values:
        raise ScreeningRefused("Select who gave or declined consent.")
    if method not in ConsentMethod.values:
        raise ScreeningRefused("Select how consent was given or declined.")
    if not giver_name:
        raise ScreeningRefused("Enter the name of the person who gave or declined consent.")
    if not isinstance(decided_on, dt.date) or decided_on > timezone.localdate():
        raise ScreeningRefused("The date of the decision must be today or in the past.")
    if decided_on < timezone.localtime(case.received_at).date():
        raise ScreeningRefused("The date of the decision cannot be before the referral arrived.")
    if child_agreement not in ChildAgreement.values:
        raise ScreeningRefused("Select whether the child agrees from the list.")
    rule = current_rule()
    band = rule.band_for(age_of(case, decided_on))
    if given_by == ConsentGiver.PERSON and not rule.person_may_consent(band):
        raise ScreeningRefused(
            f"The person is under {rule.self_age}: consent must come from a parent or a "
            "guardian or carer with parental responsibility."
        )
    if given_by == ConsentGiver.PERSON and band == OLDER_CHILD and not capacity_confirmed:
        raise ScreeningRefused(
            "Confirm that the young person has the capacity to decide, or record the consent "
            "of a parent or a guardian or carer instead."
        )
    if child_agreement:
        if band != COMPETENT_CHILD:
            raise ScreeningRefused(
                f"A child's own agreement is recorded alongside a parent's consent only for a "
                f"child aged {rule.competence_age} to {rule.self_age - 1}."
            )
        if not competence_assessed_by:
            raise ScreeningRefused(
                "Enter the name and role of the professional who judged the child competent."
            )
        if not isinstance(competence_assessed_on, dt.date) or (
            competence_assessed_on > timezone.localdate()
        ):
            raise ScreeningRefused(
                "The date the child was judged competent must be today or in the past."
            )
        if decision == ConsentDecision.GIVEN and child_agreement == ChildAgreement.DID_NOT_AGREE:
            raise ScreeningRefused(
                "A competent child who does not agree is not taken on: record the decision as "
                "declined."
            )
    return band


@transaction.atomic
def consent_record(
    *,
    actor,
    case: Case,
    decision: str,
    given_by: str,
    giver_name: str,
    decided_on: dt.date,
    method: str,
    capacity_note: str = "",
    capacity_confirmed: bool = False,
    child_agreement: str = "",
    competence_assessed_by: str = "",
    competence_assessed_on: dt.date | None = None,
    expected_version: int | None = None,
    request=None,
) -> Consent:
    """Record consent given or declined.

    Given during screening with a screening outcome that screens the person in moves
    the case to assessment. Declined ends the case (consent declined); a person already
    in support who no longer consents withdraws instead. Who may decide follows the
    consent rule (``consent_rule``): the rule's age band is kept with the record.
    """
    giver_name = " ".join((giver_name or "").split())
    capacity_note = (capacity_note or "").strip()
    competence_assessed_by = " ".join((competence_assessed_by or "").split())
    child_agreement = child_agreement or ""
    band = _check_consent(
        case,
        decision=decision,
        given_by=given_by,
        giver_name=giver_name,
        decided_on=decided_on,
        method=method,
        capacity_confirmed=capacity_confirmed,
        child_agreement=child_agreement,
        competence_assessed_by=competence_assessed_by,
        competence_assessed_on=competence_assessed_on,
    )
    capacity_confirmed = bool(capacity_confirmed) and given_by == ConsentGiver.PERSON
    if not child_agreement:
        competence_assessed_by, competence_assessed_on = None, None
    locked = case_version_claim(case=case, expected_version=expected_version)
    if locked.status not in CONSENT_OPEN:
        raise ScreeningRefused(
            f"This case is {CaseStatus(locked.status).label.lower()}: consent can no longer "
            "be recorded."
        )
    if decision == ConsentDecision.DECLINED and locked.status != CaseStatus.SCREENING:
        if locked.status == CaseStatus.REFERRED:
            raise ScreeningRefused(
                "Record the screening first: a declined consent ends the case during screening."
            )
        raise ScreeningRefused(
            "Support has already started with consent: record a withdrawal of consent instead."
        )
    consent = Consent.objects.create(
        case=locked,
        decision=decision,
        given_by=given_by,
        giver_name=giver_name,
        decided_on=decided_on,
        method=method,
        capacity_note=capacity_note,
        rule_band=band,
        capacity_confirmed=capacity_confirmed,
        child_agreement=child_agreement,
        competence_assessed_by=competence_assessed_by,
        competence_assessed_on=competence_assessed_on,
        recorded_by=actor,
    )
    who = GIVER_WORDS[given_by]
    if child_agreement:
        who += (
            ", with the child's own agreement"
            if child_agreement == ChildAgreement.AGREED
            else ", the child not agreeing"
        )
    if decision == ConsentDecision.GIVEN:
        case_event_add(
            case=locked,
            kind="consent.given",
            summary=f"Consent given by {who} ({ConsentMethod(method).label.lower()})",
            actor=actor,
        )
    record_event(
        actor=actor,
        action="case.consent_record",
        obj=locked,
        request=request,
        changed_fields=[
            "consents.decision",
            "consents.given_by",
            "consents.giver_name",
            "consents.decided_on",
            "consents.method",
            *(["consents.capacity_note"] if capacity_note else []),
            *(["consents.capacity_confirmed"] if capacity_confirmed else []),
            *(
                [
                    "consents.child_agreement",
                    "consents.competence_assessed_by",
                    "consents.competence_assessed_on",
                ]
                if child_agreement
                else []
            ),
        ],
    )
    if decision == ConsentDecision.DECLINED:
        case_change_status(
            actor=actor,
            case=locked,
            action="decline_consent",
            summary=f"Consent declined by {who}: not taken forward",
            request=request,
        )
    elif locked.status == CaseStatus.SCREENING and locked.screening_outcome in SCREENED_IN:
        case_transition(
            actor=actor,
            case=locked,
            action="screen_in",
            summary="Screened in with consent: assessment can start",
            request=request,
        )
    return consent


@transaction.atomic
def consent_withdraw(
    *,
    actor,
    case: Case,
    withdrawn_on: dt.date,
    reason: str,
    expected_version: int | None = None,
    request=None,
) -> Case:
    """Record that consent was withdrawn. Support stops and the case ends as consent
    withdrawn (with its outcome, date and who recorded it); the consent record and
    everything else on the case are kept. Before assessment has begun the consent is
    marked withdrawn and the case stays where it is, to be screened out or declined."""
    reason = (reason or "").strip()
    if not reason:
        raise ScreeningRefused("Give the reason consent was withdrawn.")
    if not isinstance(withdrawn_on, dt.date) or withdrawn_on > timezone.localdate():
        raise ScreeningRefused("The date of the withdrawal must be today or in the past.")
    locked = case_version_claim(case=case, expected_version=expected_version)
    consent = current_consent(locked)
    can_move = locked.status in ACTIONS["withdraw_consent"].sources
    if consent is None and not can_move:
        raise ScreeningRefused("There is no consent in force on this case to withdraw.")
    if consent is not None:
        if withdrawn_on < consent.decided_on:
            raise ScreeningRefused("The date of the withdrawal cannot be before consent was given.")
        consent.withdrawn_on = withdrawn_on
        consent.withdrawal_reason = reason
        consent.withdrawal_recorded_by = actor
        consent.save(update_fields=["withdrawn_on", "withdrawal_reason", "withdrawal_recorded_by"])
        record_event(
            actor=actor,
            action="case.consent_withdraw",
            obj=locked,
            request=request,
            changed_fields=[
                "consents.withdrawn_on",
                "consents.withdrawal_reason",
                "consents.withdrawal_recorded_by",
            ],
        )
    if can_move:
        return case_change_status(
            actor=actor,
            case=locked,
            action="withdraw_consent",
            reason=reason,
            summary="Consent withdrawn: support stopped and the case ended",
            request=request,
        )
    case_event_add(
        case=locked,
        kind="consent.withdrawn",
        summary="Consent withdrawn before assessment",
        actor=actor,
        reason=reason,
    )
    return locked
