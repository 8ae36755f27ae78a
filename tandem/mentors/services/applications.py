"""Applications to become a mentor, and giving a mentor sign-in access.

A public application is made by someone with no account (the audit actor is None);
a coordinator can enter one on someone's behalf. Either way the person joins the
pipeline as an applicant with a first status change recorded. Emails and in-app
notifications go out only once the application is committed.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from tandem.accounts import services as account_services
from tandem.accounts.models import Role, RoleGrant, User
from tandem.audit.services import record_event
from tandem.catalogues import ethnicity as census
from tandem.catalogues.models import Area, Language
from tandem.core.models import Notification
from tandem.core.notifications import send_email
from tandem.core.text import counted

from ..models import (
    ApplicationSource,
    Mentor,
    MentorLanguage,
    MentorStatus,
    Proficiency,
    StatusChange,
    VettingCheckType,
)

logger = logging.getLogger(__name__)

# Fields an application sets, named in the audit event (names only, never values).
APPLICATION_FIELDS = [
    "full_name",
    "email",
    "phone",
    "areas",
    "languages",
    "gender",
    "gender_self_description",
    "age_band",
    "ethnicity",
    "ethnicity_description",
    "motivation",
    "experience",
    "has_lived_experience",
    "status",
    "source",
]

# Only mentors at these stages may sign in: they need Tandem for training and work.
ACCESS_STATUSES = frozenset({MentorStatus.TRAINING, MentorStatus.ACTIVE})


class AccessRefused(Exception):
    """Sign-in access that cannot be given; the message is safe to show."""


# Rate limit for the public form --------------------------------------------------------


def rate_limit() -> int:
    return int(getattr(settings, "TANDEM_APPLICATION_RATE_LIMIT", 5))


def rate_window_seconds() -> int:
    return int(getattr(settings, "TANDEM_APPLICATION_RATE_WINDOW", 60 * 60))


def _rate_key(ip: str) -> str:
    digest = hashlib.sha256(ip.encode()).hexdigest()
    return f"tandem:mentor-applications:{digest}"


def application_slot_take(*, ip: str) -> bool:
    """Count one application from ``ip``; False when the address has used up its
    allowance for the current window (a fixed window from its first application).

    ``add`` then ``incr`` is atomic on Redis and Memcached, so parallel requests cannot
    slip past the limit there (and within one process on the local-memory cache); on
    the database cache ``incr`` is a read then a write, so a few simultaneous requests
    may each see the same count."""
    key = _rate_key(ip)
    cache.add(key, 0, timeout=rate_window_seconds())
    try:
        used = cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.set(key, 1, timeout=rate_window_seconds())
        used = 1
    return used <= rate_limit()


def application_slot_release(*, ip: str) -> None:
    """Give back a slot taken for an application that was not saved after all."""
    with contextlib.suppress(ValueError):  # the window has ended meanwhile
        cache.decr(_rate_key(ip))


def rate_window_description() -> str:
    minutes = max(1, rate_window_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return counted(hours, "an hour", "%(count)d hours")
    return f"{minutes} minutes"


# Creating applications -----------------------------------------------------------------


def _create_application(
    *,
    actor,
    source: str,
    full_name: str,
    email: str,
    phone: str = "",
    areas: Iterable[Area] = (),
    languages: Iterable[Language] = (),
    gender: str = "",
    gender_self_description: str = "",
    age_band: str = "",
    ethnicity: str = "",
    ethnicity_description: str = "",
    motivation: str = "",
    experience: str = "",
    has_lived_experience: bool = False,
) -> Mentor:
    mentor = Mentor.objects.create(
        full_name=full_name.strip(),
        email=email.strip().lower(),
        phone=phone.strip(),
        status=MentorStatus.APPLICANT,
        source=source,
        gender=gender,
        gender_self_description=gender_self_description.strip(),
        age_band=age_band,
        ethnicity=ethnicity if census.is_valid(ethnicity or "") and ethnicity else None,
        ethnicity_description=(
            " ".join(ethnicity_description.split())[:100] if ethnicity in census.DESCRIBED else ""
        )
        or None,
        motivation=motivation.strip(),
        experience=experience.strip(),
        has_lived_experience=has_lived_experience,
    )
    mentor.areas.set(list(areas))
    # The application asks only which languages someone can mentor in, so each is
    # recorded as conversational; the mentor refines the level in their profile.
    MentorLanguage.objects.bulk_create(
        MentorLanguage(mentor=mentor, language=language, proficiency=Proficiency.CONVERSATIONAL)
        for language in languages
    )
    StatusChange.objects.create(
        mentor=mentor,
        from_status="",
        to_status=MentorStatus.APPLICANT,
        changed_by=actor,
        changed_at=mentor.status_changed_at,
        reason=ApplicationSource(source).label,
    )
    return mentor


def _notify_coordinators(mentor: Mentor, *, duplicate_email: bool) -> None:
    message = f"New mentor application from {mentor.full_name}"
    if duplicate_email:
        message += " (another mentor record has the same email address)"
    link = reverse("mentors:detail", kwargs={"pk": mentor.pk})
    coordinators = User.objects.filter(
        is_active=True, role_grants__role=Role.COORDINATOR
    ).distinct()
    Notification.objects.bulk_create(
        Notification(user=user, message=message[:300], link=link) for user in coordinators
    )


def _send_confirmation(mentor: Mentor) -> None:
    """Tells the applicant we have their application and what happens next; repeats
    nothing they told us, since email is not a safe place for it."""
    body = render_to_string(
        "mentors/applications/email/application_received.txt",
        {
            "full_name": mentor.full_name,
            "scheme_name": settings.TANDEM_SCHEME_NAME,
            "check_types": VettingCheckType.objects.filter(required=True, is_active=True),
        },
    )
    # Sent by the task worker once the application is saved: a mail outage cannot lose it.
    send_email(
        to=mentor.email,
        subject="We have received your application to be a mentor",
        body=body,
        key=f"application-received:{mentor.pk}",
    )


@transaction.atomic
def application_submit(*, request=None, **answers) -> Mentor:
    """A public application from someone without an account."""
    duplicate = Mentor.objects.filter(email__iexact=answers["email"].strip()).exists()
    mentor = _create_application(actor=None, source=ApplicationSource.PUBLIC, **answers)
    record_event(
        actor=None,
        action="mentor.apply",
        obj=mentor,
        request=request,
        changed_fields=APPLICATION_FIELDS,
    )
    transaction.on_commit(lambda: _notify_coordinators(mentor, duplicate_email=duplicate))
    transaction.on_commit(lambda: _send_confirmation(mentor))
    return mentor


@transaction.atomic
def application_create(*, actor, request=None, **answers) -> Mentor:
    """An application a coordinator enters on someone's behalf."""
    mentor = _create_application(actor=actor, source=ApplicationSource.COORDINATOR, **answers)
    record_event(
        actor=actor,
        action="mentor.create",
        obj=mentor,
        request=request,
        changed_fields=APPLICATION_FIELDS,
    )
    return mentor


# Sign-in access ------------------------------------------------------------------------


@transaction.atomic
def mentor_grant_access(*, actor, mentor: Mentor, request=None) -> User:
    """Give a mentor in training or active a user account with the mentor role.

    A new account is sent a link to set a password (after commit). When an account
    with the mentor's email address exists already (for example a member of staff who
    also mentors), it is linked and given the mentor role instead.
    """
    mentor = Mentor.objects.select_for_update().get(pk=mentor.pk)
    if mentor.user_id is not None:
        raise AccessRefused(f"{mentor.full_name} already has sign-in access.")
    if mentor.status not in ACCESS_STATUSES:
        raise AccessRefused(
            f"Only mentors in training or accredited (active) can be given sign-in access. "
            f"{mentor.full_name}'s status is {MentorStatus(mentor.status).label.lower()}."
        )
    user = User.objects.filter(email__iexact=mentor.email).first()
    if user is None:
        try:
            user = account_services.user_create(
                actor=actor,
                email=mentor.email,
                full_name=mentor.full_name,
                roles=[Role.MENTOR],
                request=request,
            )
        except account_services.AccountError as error:
            raise AccessRefused(str(error)) from error
    else:
        if not user.is_active:
            raise AccessRefused(
                "The user account with this email address is deactivated. An administrator "
                "must reactivate it before it can be linked."
            )
        if Mentor.objects.filter(user=user).exists():
            raise AccessRefused(
                "The user account with this email address is already linked to another "
                "mentor record."
            )
        _, created = RoleGrant.objects.get_or_create(
            user=user, role=Role.MENTOR, defaults={"granted_by": actor}
        )
        if created:
            user.__dict__.pop("roles", None)
            record_event(
                actor=actor,
                action="user.update",
                obj=user,
                request=request,
                reason="Mentor role added with sign-in access to a mentor record",
                changed_fields=["roles"],
            )
    mentor.user = user
    mentor.save(update_fields=["user", "updated_at"])
    record_event(
        actor=actor,
        action="mentor.grant_access",
        obj=mentor,
        request=request,
        changed_fields=["user"],
    )
    return user
