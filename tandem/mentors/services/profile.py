"""A mentor's profile, declarations, code-of-conduct acceptance and change requests.

Every write is a keyword-only function taking the ``actor``; each records its audit
event (field names only, never values) in the same transaction, and notifications
wait for the commit.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from tandem.accounts.models import User
from tandem.accounts.selectors import active_coordinators
from tandem.audit.services import record_event
from tandem.catalogues import ethnicity as census
from tandem.catalogues.models import Language, Specialism
from tandem.core.links import url_if_installed
from tandem.core.notifications import notify
from tandem.core.permissions import has_permission

from ..models import (
    AgeBand,
    AvailabilitySlot,
    ChangeRequestStatus,
    CodeAcceptance,
    CodeOfConduct,
    ConflictDeclaration,
    ConflictKind,
    DayPart,
    Gender,
    Mentor,
    MentorLanguage,
    MentorSpecialism,
    Proficiency,
    ProfileChangeRequest,
    Weekday,
)

MAX_CASELOAD_CAP = 6
MAX_TRAVEL_RADIUS_KM = 100

# Plain fields that profile_update sets directly on the Mentor.
SCALAR_FIELDS = (
    "gender",
    "gender_self_description",
    "age_band",
    "faith",
    "faith_background",
    "cultural_background",
    "ethnicity",
    "ethnicity_description",
    "has_lived_experience",
    "lived_experience",
    "travel_radius_km",
    "offers_online",
    "caseload_cap",
)


class ProfileError(Exception):
    """A change the profile rules refuse; the message is safe to show."""


def _mentor_user(mentor: Mentor) -> list[User]:
    """The mentor's own account, when there is one that can sign in."""
    user = mentor.user
    return [user] if user is not None and user.is_active else []


# The profile ----------------------------------------------------------------------------


def _validate_profile(*, actor, data: dict) -> None:
    if "caseload_cap" in data:
        if not has_permission(actor, "mentor", "change"):
            raise ProfileError("Only a coordinator can change the caseload cap.")
        if not 0 <= int(data["caseload_cap"]) <= MAX_CASELOAD_CAP:
            raise ProfileError(f"Enter a caseload cap from 0 to {MAX_CASELOAD_CAP}.")
    if "travel_radius_km" in data and not (
        0 <= int(data["travel_radius_km"]) <= MAX_TRAVEL_RADIUS_KM
    ):
        raise ProfileError(f"Enter a travel radius from 0 to {MAX_TRAVEL_RADIUS_KM} kilometres.")
    if data.get("gender", "") not in {"", *Gender.values}:
        raise ProfileError("Select a gender from the list.")
    if not census.is_valid(data.get("ethnicity") or ""):
        raise ProfileError("Select an ethnic group from the list.")
    if len(data.get("ethnicity_description") or "") > 100:
        raise ProfileError("The description of the ethnic group must be 100 characters or fewer.")
    if data.get("age_band", "") not in {"", *AgeBand.values}:
        raise ProfileError("Select an age band from the list.")
    for proficiency in data.get("languages", {}).values():
        if proficiency not in Proficiency.values:
            raise ProfileError("Select a proficiency from the list.")
    for weekday, part in data.get("availability", ()):
        if weekday not in Weekday.values or part not in DayPart.values:
            raise ProfileError("Select times of day from the list.")
    specialisms = data.get("specialisms", {})
    if specialisms:
        needing = dict(
            Specialism.objects.filter(pk__in=specialisms, requires_qualification=True).values_list(
                "pk", "name"
            )
        )
        for pk, name in needing.items():
            if not specialisms[pk][1].strip():
                raise ProfileError(f"Enter the qualification in {name}.")


@transaction.atomic
def profile_update(*, actor, mentor: Mentor, data: dict, request=None) -> Mentor:
    """Save the profile in ``data``; keys that are absent stay as they are.

    ``data`` holds the scalar fields (SCALAR_FIELDS) and, replaced as a whole when given:
    ``areas`` (areas or ids), ``languages`` ({language id: proficiency}), ``specialisms``
    ({specialism id: (evidence, qualification)}) and ``availability`` ({(weekday, part)}).
    """
    _validate_profile(actor=actor, data=data)
    mentor = Mentor.objects.select_for_update().get(pk=mentor.pk)
    changed: list[str] = []

    for name in SCALAR_FIELDS:
        if name in data and getattr(mentor, name) != data[name]:
            setattr(mentor, name, data[name])
            changed.append(name)
    if changed:
        mentor.save(update_fields=[*changed, "updated_at"])

    if "areas" in data:
        wanted = {getattr(a, "pk", a) for a in data["areas"]}
        if wanted != set(mentor.areas.values_list("pk", flat=True)):
            mentor.areas.set(wanted)
            changed.append("areas")

    if "languages" in data:
        wanted = {int(k): v for k, v in data["languages"].items()}
        current = dict(mentor.languages.values_list("language_id", "proficiency"))
        if wanted != current:
            known = set(Language.objects.filter(pk__in=wanted).values_list("pk", flat=True))
            mentor.languages.all().delete()
            MentorLanguage.objects.bulk_create(
                MentorLanguage(mentor=mentor, language_id=pk, proficiency=proficiency)
                for pk, proficiency in sorted(wanted.items())
                if pk in known
            )
            changed.append("languages")

    if "specialisms" in data:
        wanted = {
            int(k): (evidence.strip(), qualification.strip())
            for k, (evidence, qualification) in data["specialisms"].items()
        }
        current = {
            row[0]: (row[1], row[2])
            for row in mentor.specialisms.values_list("specialism_id", "evidence", "qualification")
        }
        if wanted != current:
            known = set(Specialism.objects.filter(pk__in=wanted).values_list("pk", flat=True))
            mentor.specialisms.all().delete()
            MentorSpecialism.objects.bulk_create(
                MentorSpecialism(
                    mentor=mentor, specialism_id=pk, evidence=evidence, qualification=qualification
                )
                for pk, (evidence, qualification) in sorted(wanted.items())
                if pk in known
            )
            changed.append("specialisms")

    if "availability" in data:
        wanted = {(int(weekday), part) for weekday, part in data["availability"]}
        current = set(mentor.availability.values_list("weekday", "part"))
        if wanted != current:
            mentor.availability.all().delete()
            AvailabilitySlot.objects.bulk_create(
                AvailabilitySlot(mentor=mentor, weekday=weekday, part=part)
                for weekday, part in sorted(wanted)
            )
            changed.append("availability")

    if changed:
        record_event(
            actor=actor,
            action="mentor.profile_update",
            obj=mentor,
            request=request,
            changed_fields=changed,
        )
    return mentor


# Conflict-of-interest declarations ------------------------------------------------------


@transaction.atomic
def conflict_declare(
    *, actor, mentor: Mentor, kind: str, name: str, connection: str = "", request=None
) -> ConflictDeclaration:
    name = " ".join(name.split())
    if kind not in ConflictKind.values:
        raise ProfileError("Select who or what you are connected to.")
    if not name:
        raise ProfileError("Enter the name of the person, family, school or organisation.")
    declaration = ConflictDeclaration.objects.create(
        mentor=mentor, kind=kind, name=name, connection=connection.strip()
    )
    record_event(
        actor=actor,
        action="mentor.conflict_declare",
        obj=declaration,
        request=request,
        changed_fields=["kind", "name", "connection"],
    )
    return declaration


def conflict_list_audit(*, actor, mentor: Mentor, request=None) -> None:
    """Declarations can name people close to a case: listing them is a read of record."""
    record_event(
        actor=actor,
        action="mentors.conflictdeclaration.view",
        obj=mentor,
        request=request,
        reason="own declarations",
    )


@transaction.atomic
def conflict_withdraw(*, actor, declaration: ConflictDeclaration, request=None):
    """Mark a declaration withdrawn (kept for the record). Withdrawing twice changes nothing."""
    declaration = (
        ConflictDeclaration.objects.select_for_update()
        .select_related("mentor")
        .get(pk=declaration.pk)
    )
    if declaration.withdrawn_on is not None:
        return declaration
    declaration.withdrawn_on = timezone.localdate()
    declaration.save(update_fields=["withdrawn_on"])
    record_event(
        actor=actor,
        action="mentor.conflict_withdraw",
        obj=declaration,
        request=request,
        changed_fields=["withdrawn_on"],
    )
    return declaration


# Code of conduct ------------------------------------------------------------------------


@transaction.atomic
def code_accept(
    *, actor, mentor: Mentor, code: CodeOfConduct | None = None, request=None
) -> CodeAcceptance:
    """Record that the mentor accepted ``code`` (the current one by default). Idempotent:
    accepting again returns the first acceptance and records nothing new."""
    code = code or CodeOfConduct.objects.current()
    if code is None:
        raise ProfileError("There is no code of conduct to accept yet.")
    acceptance, created = CodeAcceptance.objects.get_or_create(mentor=mentor, code=code)
    if created:
        record_event(
            actor=actor,
            action="mentor.code_accept",
            obj=acceptance,
            request=request,
            changed_fields=["code"],
        )
    return acceptance


# Changes that affect vetting: a coordinator decides -------------------------------------


def _pending_message(field: str) -> str:
    label = ProfileChangeRequest.FIELDS[field].lower()
    return (
        f"You already have a request to change your {label} waiting for a coordinator. "
        "You can ask for another change once it has been decided."
    )


def _normalise(field: str, value: str) -> str:
    value = " ".join((value or "").split())
    return value.lower() if field == "email" else value


@transaction.atomic
def change_request_create(
    *, actor, mentor: Mentor, field: str, new_value: str, explanation: str = "", request=None
) -> ProfileChangeRequest:
    if field not in ProfileChangeRequest.FIELDS:
        raise ProfileError("Select what you want to change.")
    new_value = _normalise(field, new_value)
    if not new_value:
        raise ProfileError("Enter the new name or email address.")
    if new_value == _normalise(field, getattr(mentor, field)):
        label = ProfileChangeRequest.FIELDS[field].lower()
        raise ProfileError(f"That is already your {label}. Enter the new one.")
    if mentor.change_requests.filter(field=field, status=ChangeRequestStatus.PENDING).exists():
        raise ProfileError(_pending_message(field))
    try:
        with transaction.atomic():
            change = ProfileChangeRequest.objects.create(
                mentor=mentor, field=field, new_value=new_value, explanation=explanation.strip()
            )
    except IntegrityError:  # another request for the same field arrived at the same time
        raise ProfileError(_pending_message(field)) from None
    record_event(
        actor=actor,
        action="mentor.change_request_create",
        obj=change,
        request=request,
        changed_fields=["field", "new_value", "explanation"],
    )
    notify(
        users=active_coordinators(),
        message=f"A mentor asked to change their {change.get_field_display().lower()}. "
        "Review the request.",
        link=url_if_installed("mentors:change_requests"),
    )
    return change


def _apply_to_user(*, actor, user: User, field: str, value: str, request=None) -> None:
    """Keep the mentor's account in step with their record: the same name and email."""
    if field == "email":
        value = User.objects.normalize_email(value).lower()
        if User.objects.filter(email__iexact=value).exclude(pk=user.pk).exists():
            raise ProfileError(
                "Another Tandem account already uses this email address, so the change "
                "cannot be approved. Reject it, or ask an administrator to resolve it first."
            )
    if getattr(user, field) == value:
        return
    setattr(user, field, value)
    try:
        with transaction.atomic():
            user.save(update_fields=[field])
    except IntegrityError:
        raise ProfileError(
            "Another Tandem account already uses this email address, so the change "
            "cannot be approved."
        ) from None
    record_event(
        actor=actor, action="user.update", obj=user, request=request, changed_fields=[field]
    )


@transaction.atomic
def change_request_decide(
    *, actor, change: ProfileChangeRequest, approve: bool, reason: str = "", request=None
) -> ProfileChangeRequest:
    """Approve (apply the new value to the mentor and their account) or reject a request."""
    change = ProfileChangeRequest.objects.select_for_update().get(pk=change.pk)
    if change.status != ChangeRequestStatus.PENDING:
        raise ProfileError("This request has already been decided.")
    reason = reason.strip()
    if not approve and not reason:
        raise ProfileError("Enter the reason for rejecting the request.")
    mentor = Mentor.objects.select_for_update().get(pk=change.mentor_id)
    change.mentor = mentor

    if approve:
        value = _normalise(change.field, change.new_value)
        if getattr(mentor, change.field) != value:
            setattr(mentor, change.field, value)
            mentor.save(update_fields=[change.field, "updated_at"])
            record_event(
                actor=actor,
                action="mentor.update",
                obj=mentor,
                request=request,
                changed_fields=[change.field],
            )
        if mentor.user is not None:
            _apply_to_user(
                actor=actor, user=mentor.user, field=change.field, value=value, request=request
            )

    change.status = ChangeRequestStatus.APPROVED if approve else ChangeRequestStatus.REJECTED
    change.decided_by = actor
    change.decided_at = timezone.now()
    change.decision_reason = reason
    change.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    record_event(
        actor=actor,
        action="mentor.change_request_approve" if approve else "mentor.change_request_reject",
        obj=change,
        request=request,
        # The reason stays on the request (erased with the mentor), not in the audit log.
        changed_fields=["status", "decided_by", "decided_at", "decision_reason"],
    )
    label = change.get_field_display().lower()
    notify(
        users=_mentor_user(mentor),
        message=(
            f"Your request to change your {label} was approved."
            if approve
            else f"Your request to change your {label} was not approved. See the reason "
            "on your profile."
        ),
        link=url_if_installed("mentors:my_profile"),
    )
    return change
