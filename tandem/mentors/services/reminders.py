"""Reminders of expiring vetting checks and accreditations.

``send_due_reminders`` is run by ``manage.py send_reminders`` every few minutes. For each
mentor who has not left it looks at the latest check of each active check type and at
the accreditation in force, and when one expires within 60, 30 or 7 days, or has expired,
reminds the mentor (if they have an active account) and every active coordinator, by
email and in the app.

Never twice: each reminder has a key naming the record, its expiry date and the
threshold, and the ReminderSent ledger holds one row per key and recipient under a unique
constraint. The row is inserted first, in the transaction that sends, so when two runs
race only one insert succeeds and only that run sends. A renewed check is a new record
(a new key), so its reminders start afresh; so does a corrected expiry date.

Only the most urgent threshold that is due is sent: a check recorded with 20 days left
gets the 30-day reminder, not the 60-day one too. An expiry long past (more than
EXPIRED_GRACE_DAYS ago) is not announced: the expiry view lists those.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateformat import format as date_format

from tandem.core.links import url_if_installed
from tandem.core.notifications import notify

from ..matchability import latest_checks
from ..models import (
    Accreditation,
    CheckOutcome,
    Mentor,
    MentorStatus,
    ReminderSent,
    VettingCheck,
    VettingCheckType,
)
from .profile import active_coordinators

THRESHOLDS = (7, 30, 60)  # days before expiry, most urgent first
EXPIRED = "expired"
EXPIRED_GRACE_DAYS = 30
LEDGER_CHUNK = 500


@dataclass(frozen=True)
class Due:
    key: str
    mentor: Mentor
    what: str  # "enhanced criminal-records check with barred list", "accreditation"
    expires_on: dt.date
    threshold: str  # "60", "30", "7" or "expired"

    def _fact(self) -> str:
        verb = "expired on" if self.threshold == EXPIRED else "expires on"
        return f"{self.what} {verb} {date_format(self.expires_on, 'j F Y')}"

    def message(self, *, own: bool) -> str:
        """In the app, coordinators see whose it is (they see every mentor anyway)."""
        return f"Your {self._fact()}." if own else f"{self.mentor.full_name}'s {self._fact()}."

    def email_subject(self, *, own: bool) -> str:
        whose = "your" if own else "a mentor's"
        return f"Reminder: {whose} {self._fact()}"

    def email_sentence(self, *, own: bool) -> str:
        """Emails name no one: a coordinator signs in to see who."""
        whose = "Your" if own else "A mentor's"
        return f"{whose} {self._fact()}."


def due_threshold(expires_on: dt.date, today: dt.date) -> str | None:
    """The most urgent threshold reached on ``today``, or None when nothing is due."""
    days_left = (expires_on - today).days
    if days_left <= 0:
        return EXPIRED if -days_left <= EXPIRED_GRACE_DAYS else None
    for threshold in THRESHOLDS:
        if days_left <= threshold:
            return str(threshold)
    return None


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _mentors():
    return (
        Mentor.objects.exclude(status=MentorStatus.LEFT)
        .select_related("user")
        .only("pk", "full_name", "status", "user__id", "user__is_active", "user__email")
        .prefetch_related(
            Prefetch(
                "checks",
                queryset=VettingCheck.objects.only(
                    "pk", "mentor_id", "check_type_id", "outcome", "checked_on", "expires_on"
                ),
            ),
            Prefetch(
                "accreditations",
                queryset=Accreditation.objects.filter(revoked_on__isnull=True).only(
                    "pk", "mentor_id", "awarded_on", "expires_on", "revoked_on"
                ),
            ),
        )
        .order_by("pk")
    )


def due_reminders(today: dt.date) -> list[Due]:
    """Everything due today, before looking at who has already been told."""
    check_types = {t.pk: t for t in VettingCheckType.objects.filter(is_active=True)}
    due: list[Due] = []
    for mentor in _mentors():
        for type_id, check in latest_checks(mentor).items():
            check_type = check_types.get(type_id)
            if check_type is None or check.outcome != CheckOutcome.PASSED or not check.expires_on:
                continue
            threshold = due_threshold(check.expires_on, today)
            if threshold:
                due.append(
                    Due(
                        key=f"check:{check.pk}:{check.expires_on:%Y-%m-%d}:{threshold}",
                        mentor=mentor,
                        what=_lower_first(check_type.name),
                        expires_on=check.expires_on,
                        threshold=threshold,
                    )
                )
        # The accreditation in force (or last in force): the one lasting longest.
        accreditation = max(
            (a for a in mentor.accreditations.all() if a.awarded_on <= today),
            key=lambda a: (a.expires_on, a.pk),
            default=None,
        )
        if accreditation is not None:
            threshold = due_threshold(accreditation.expires_on, today)
            if threshold:
                due.append(
                    Due(
                        key=f"accreditation:{accreditation.pk}:"
                        f"{accreditation.expires_on:%Y-%m-%d}:{threshold}",
                        mentor=mentor,
                        what="accreditation",
                        expires_on=accreditation.expires_on,
                        threshold=threshold,
                    )
                )
    return due


def _already_sent(keys: list[str]) -> set[tuple[str, int]]:
    sent: set[tuple[str, int]] = set()
    for start in range(0, len(keys), LEDGER_CHUNK):
        chunk = keys[start : start + LEDGER_CHUNK]
        sent.update(ReminderSent.objects.filter(key__in=chunk).values_list("key", "recipient_id"))
    return sent


def _send_email(*, email: str, subject: str, body: str) -> None:
    send_mail(subject, body, None, [email])


def _link(due: Due, *, own: bool) -> str:
    if own:
        return url_if_installed("mentors:my_profile")
    page = "mentors:training" if due.what == "accreditation" else "mentors:vetting"
    pk = due.mentor.pk
    return url_if_installed(page, pk=pk) or url_if_installed("mentors:detail", pk=pk)


def _send_one(*, due: Due, recipient, own: bool) -> bool:
    """Send one reminder to one recipient unless the ledger says it went already."""
    subject = due.email_subject(own=own)
    body = render_to_string(
        "mentors/profile/email/reminder.txt",
        {
            "sentence": due.email_sentence(own=own),
            "own": own,
            "scheme_name": settings.TANDEM_SCHEME_NAME,
        },
    )
    address = recipient.email
    try:
        with transaction.atomic():
            # The ledger row first: a concurrent run that got there before fails here.
            ReminderSent.objects.create(key=due.key, recipient=recipient)
            notify(users=[recipient], message=due.message(own=own), link=_link(due, own=own))
            transaction.on_commit(lambda: _send_email(email=address, subject=subject, body=body))
    except IntegrityError:
        return False
    return True


def send_due_reminders(*, today: dt.date | None = None) -> int:
    """Send every reminder due on ``today`` that has not been sent; returns how many went
    (one per recipient)."""
    today = today or timezone.localdate()
    due = due_reminders(today)
    if not due:
        return 0
    coordinators = list(active_coordinators().only("pk", "email"))
    sent_before = _already_sent(sorted({d.key for d in due}))
    sent = 0
    for item in due:
        recipients = [(c, False) for c in coordinators]
        user = item.mentor.user
        if user is not None and user.is_active:
            recipients.insert(0, (user, True))
        seen: set[int] = set()
        for recipient, own in recipients:
            if recipient.pk in seen or (item.key, recipient.pk) in sent_before:
                continue
            seen.add(recipient.pk)
            if _send_one(due=item, recipient=recipient, own=own):
                sent += 1
    return sent
