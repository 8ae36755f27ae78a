"""Referral intake, possible duplicates, and what a referrer sees of their referrals.

A referral creates the case. The person is known from then on by the case's
pseudonymous reference; their name and date of birth are encrypted, and matched
against other cases only through the keyed blind index. A possible duplicate is
flagged for a coordinator to decide, never merged.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tandem.accounts.selectors import active_coordinators
from tandem.audit.services import record_event
from tandem.catalogues import ethnicity as census
from tandem.core.links import url_if_installed
from tandem.core.models import assign_changes
from tandem.core.notifications import notify

from ..ages import age_on
from ..models import (
    Case,
    CaseStatus,
    ClientGender,
    DuplicateDecision,
    MentorGenderPreference,
    Pathway,
    Urgency,
)
from .lifecycle import LifecycleRefused, case_event_add, case_version_claim, reference_allocate

# Intake --------------------------------------------------------------------------------

REFERRAL_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "gender",
    "area",
    "guardian_name",
    "guardian_relationship",
    "guardian_contact",
    "reason",
    "concern_type",
    "urgency",
    "interpreter_needed",
    "accessibility_needs",
    "mentor_gender_preference",
    "preferred_language",
    "faith_preference",
    "accepts_online",
    "other_agencies",
    "referral_source",
    "referrer_organisation",
    "pathway",
)
# Text that may be left empty.
OPTIONAL_TEXT = (
    "guardian_name",
    "guardian_relationship",
    "guardian_contact",
    "accessibility_needs",
    "faith_preference",
    "other_agencies",
)
MAX_AGE = 120


class ReferralRefused(LifecycleRefused):
    """A referral that cannot be accepted as given; the message is safe to show."""


def _check(data: dict, today: dt.date) -> tuple[dt.date, int]:
    born = data.get("date_of_birth")
    if not isinstance(born, dt.date):
        raise ReferralRefused("Enter the person's date of birth.")
    if born > today:
        raise ReferralRefused("The date of birth must be today or in the past.")
    age = age_on(born, today)
    if age > MAX_AGE:
        raise ReferralRefused(
            f"The person cannot be older than {MAX_AGE}: check the date of birth."
        )
    for name in ("first_name", "last_name", "reason", "referrer_organisation"):
        if not str(data.get(name) or "").strip():
            raise ReferralRefused("The referral is incomplete: fill in every required answer.")
    if age < 18 and not all(
        str(data.get(name) or "").strip()
        for name in ("guardian_name", "guardian_relationship", "guardian_contact")
    ):
        raise ReferralRefused(
            "The person is under 18: give the name, relationship and contact details of a "
            "parent or guardian."
        )
    if data.get("concern_type") is None or not data["concern_type"].is_active:
        raise ReferralRefused("Select a concern type from the list.")
    if data.get("referral_source") is None or not data["referral_source"].is_active:
        raise ReferralRefused("Select the referring agency from the list.")
    for name, choices, what in (
        ("gender", ClientGender.values, "the person's gender"),
        ("urgency", [*Urgency.values, None, ""], "the urgency"),
        ("mentor_gender_preference", [*MentorGenderPreference.values, None, ""], "a preference"),
        ("pathway", [*Pathway.values, None, ""], "the pathway"),
    ):
        if data.get(name) not in choices:
            raise ReferralRefused(f"Select {what} from the list.")  # noqa: S608 - not SQL
    return born, age


def ethnicity_answer(code, description) -> tuple[str, str]:
    """The ethnic group as stored: a census code (or "prefer not to say"), and the
    person's own words only for an "any other" group. Refuses anything else."""
    code = code or ""
    if not census.is_valid(code):
        raise ReferralRefused("Select an ethnic group from the list.")
    description = " ".join(str(description or "").split())
    if len(description) > 100:
        raise ReferralRefused(
            "The description of the ethnic group must be 100 characters or fewer."
        )
    return code, description if code in census.DESCRIBED else ""


@transaction.atomic
def referral_submit(*, actor, data: dict, request=None) -> Case:
    """Create the case for a referral made by ``actor`` (a referrer, or a coordinator
    entering it for a partner agency).

    ``data`` holds the referral's answers by model field name (``area``,
    ``concern_type`` and ``preferred_language`` as objects, ``date_of_birth`` as a
    date) plus ``languages``, a list of languages. Returns the new case, with a
    possible duplicate flagged for a coordinator.
    """
    today = timezone.localdate()
    born, age = _check(data, today)
    values = {name: data.get(name) for name in REFERRAL_FIELDS}
    for name in OPTIONAL_TEXT:
        values[name] = (values[name] or "").strip()
    for name in ("first_name", "last_name", "referrer_organisation"):
        values[name] = " ".join(str(values[name]).split())
    values["reason"] = str(values["reason"]).strip()
    values["date_of_birth"] = born.isoformat()
    values["interpreter_needed"] = bool(values["interpreter_needed"])
    values["accepts_online"] = bool(values["accepts_online"])
    values["mentor_gender_preference"] = values["mentor_gender_preference"] or "any"
    values["urgency"] = values["urgency"] or "routine"
    values["pathway"] = values["pathway"] or Pathway.PREVENTION
    ethnicity = ethnicity_answer(data.get("ethnicity"), data.get("ethnicity_description"))
    now = timezone.now()
    case = Case.objects.create(
        reference=reference_allocate(year=today.year),
        status=CaseStatus.REFERRED,
        referred_by=actor,
        received_at=now,
        status_changed_at=now,
        age_at_referral=age,
        ethnicity=ethnicity[0] or None,
        ethnicity_description=ethnicity[1] or None,
        **values,
    )
    languages = list(data.get("languages") or [])
    if languages:
        case.languages.set(languages)

    # The blind index was computed on save; an earlier case with the same name and date
    # of birth is flagged, the most recent one first. Nothing is merged.
    duplicate = (
        Case.objects.filter(identity_index=case.identity_index)
        .exclude(pk=case.pk)
        .exclude(identity_index="")
        .order_by("-received_at", "-pk")
        .first()
    )
    if duplicate is not None:
        case.possible_duplicate_of = duplicate
        case.duplicate_decision = DuplicateDecision.PENDING
        case.save(update_fields=["possible_duplicate_of", "duplicate_decision"])

    case_event_add(case=case, kind="referral.received", summary="Referral received", actor=actor)
    if duplicate is not None:
        case_event_add(
            case=case,
            kind="referral.possible_duplicate",
            summary=f"Possible duplicate of {duplicate.reference} flagged for a decision",
            actor=None,
        )
    record_event(
        actor=actor,
        action="case.referral_submit",
        obj=case,
        request=request,
        changed_fields=[
            *REFERRAL_FIELDS,
            "age_at_referral",
            *(["languages"] if languages else []),
            *(["ethnicity"] if ethnicity[0] else []),
            *(["ethnicity_description"] if ethnicity[1] else []),
            *(["possible_duplicate_of", "duplicate_decision"] if duplicate else []),
        ],
    )
    urgency = "An urgent referral" if case.urgency == "urgent" else "A new referral"
    notify(
        users=active_coordinators(),
        message=f"{urgency} has been received: {case.reference}."
        + (" It may be a duplicate of another case." if duplicate else ""),
        link=url_if_installed("cases:detail", pk=case.pk),
    )
    return case


# The person's needs as the referral states them ------------------------------------------

# A coordinator may correct them later; matching's needs page does, with its own needs.
REFERRAL_NEEDS = (
    "languages",
    "interpreter_needed",
    "preferred_language",
    "mentor_gender_preference",
    "area",
    "accepts_online",
)


def case_referral_needs_update(*, case: Case, needs: dict) -> list[str]:
    """Set the referral's statement of the person's needs (``needs`` by the names in
    ``REFERRAL_NEEDS``: ``languages`` an iterable of languages, related fields objects or
    None) and return the names that changed, in that order.

    One step of a larger change: ``case`` is the one ``case_version_claim`` locked in the
    caller's transaction, and the caller records the audit event and the timeline line,
    naming these fields together with its own, so that one change reads as one event."""
    changed = []
    languages = {language.pk for language in needs["languages"]}
    if languages != set(case.languages.values_list("pk", flat=True)):
        case.languages.set(languages)
        changed.append("languages")
    fields = assign_changes(
        case, {name: needs[name] for name in REFERRAL_NEEDS if name != "languages"}
    )
    if fields:
        case.save(update_fields=fields)
    return [*changed, *fields]


# Duplicates ----------------------------------------------------------------------------

DUPLICATE_SUMMARY = {
    DuplicateDecision.DIFFERENT: "Possible duplicate decided: a different person",
    DuplicateDecision.SAME: "Possible duplicate decided: the same person (records not merged)",
}


@transaction.atomic
def duplicate_decide(
    *,
    actor,
    case: Case,
    decision: str,
    expected_version: int | None = None,
    reason: str = "",
    request=None,
) -> Case:
    """Record a coordinator's decision on a possible duplicate. Deciding that it is the
    same person records the decision only: the two cases stay as they are."""
    if decision not in DUPLICATE_SUMMARY:
        raise LifecycleRefused("Select whether this is a different person or the same person.")
    locked = case_version_claim(case=case, expected_version=expected_version)
    if locked.possible_duplicate_of_id is None:
        raise LifecycleRefused("This case is not flagged as a possible duplicate.")
    locked.duplicate_decision = decision
    locked.save(update_fields=["duplicate_decision"])
    case_event_add(
        case=locked,
        kind="referral.duplicate_decided",
        summary=DUPLICATE_SUMMARY[decision],
        actor=actor,
        reason=(reason or "").strip(),
    )
    record_event(
        actor=actor,
        action="case.duplicate_decide",
        obj=locked,
        request=request,
        changed_fields=["duplicate_decision"],
    )
    return locked


# The pathway ---------------------------------------------------------------------------


@transaction.atomic
def case_pathway_change(
    *,
    actor,
    case: Case,
    pathway: str,
    reason: str,
    expected_version: int | None = None,
    request=None,
) -> Case:
    """Move the case to the prevention or the rehabilitation pathway, with a reason (kept
    encrypted on the timeline)."""
    if pathway not in Pathway.values:
        raise LifecycleRefused("Select the prevention or the rehabilitation pathway.")
    reason = (reason or "").strip()
    if not reason:
        raise LifecycleRefused("Enter the reason for changing the pathway.")
    locked = case_version_claim(case=case, expected_version=expected_version)
    if locked.pathway == pathway:
        raise LifecycleRefused(
            f"The case is already on the {Pathway(pathway).label.lower()} pathway."
        )
    before = Pathway(locked.pathway).label.lower()
    locked.pathway = pathway
    locked.save(update_fields=["pathway"])
    case_event_add(
        case=locked,
        kind="case.pathway_changed",
        summary=f"Pathway changed from {before} to {Pathway(pathway).label.lower()}",
        actor=actor,
        reason=reason,
    )
    record_event(
        actor=actor,
        action="case.pathway_change",
        obj=locked,
        request=request,
        changed_fields=["pathway"],
    )
    return locked
