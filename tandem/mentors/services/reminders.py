"""Reminders of expiring vetting checks and accreditations.

``reminders_send`` is run by ``manage.py send_reminders`` every few minutes. For each
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

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from tandem.accounts.selectors import active_coordinators
from tandem.core.links import url_if_installed
from tandem.core.notifications import notify, send_email

from ..models import (
    ReminderSent,
)
from ..selectors import Due, due_reminders

LEDGER_CHUNK = 500


def _already_sent(keys: list[str]) -> set[tuple[str, int]]:
    sent: set[tuple[str, int]] = set()
    for start in range(0, len(keys), LEDGER_CHUNK):
        chunk = keys[start : start + LEDGER_CHUNK]
        sent.update(ReminderSent.objects.filter(key__in=chunk).values_list("key", "recipient_id"))
    return sent


def _send_email(*, email: str, subject: str, body: str, key: str) -> None:
    send_email(to=email, subject=subject, body=body, key=key)


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
            _send_email(
                email=address, subject=subject, body=body, key=f"reminder:{due.key}:{recipient.pk}"
            )
    except IntegrityError:
        return False
    return True


def reminders_send(*, today: dt.date | None = None) -> int:
    """Send every reminder due on ``today`` that has not been sent; returns how many went
    (one per recipient)."""
    today = today or timezone.localdate()
    due = due_reminders(today=today)
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
