"""Notifications: short messages for one user with a link to the page concerned, in
Tandem (``notify``) and by email (``email_users``).

Any capability notifies through these two functions; both act when the surrounding
transaction commits, so a change that rolls back never leaves a message behind. A
notification never holds case content: say what happened and link to where the user
may look (the page itself checks what they may see). ``email_users`` is the one place
that sends these emails; ``send_email`` sends one to an address that belongs to no
user yet (an applicant). Both hand each message to the task worker
(``tandem.core.background``): one piece of work per recipient, retried when the mail
server fails, and never sent twice for the same call.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from .background import background, run_once
from .models import Notification

logger = logging.getLogger(__name__)

MESSAGE_MAX = Notification._meta.get_field("message").max_length
LINK_MAX = Notification._meta.get_field("link").max_length
PAGE_SIZE = 25


def _safe_link(link: str) -> str:
    """Only links within Tandem: a path starting with one slash."""
    link = (link or "").strip()
    if not link.startswith("/") or link.startswith("//") or len(link) > LINK_MAX:
        return ""
    return link


def notify(*, users: Iterable, message: str, link: str = "") -> None:
    """Give each of ``users`` (users or user ids) the message once the transaction commits."""
    user_ids = sorted({getattr(u, "pk", u) for u in users if u is not None})
    if not user_ids:
        return
    message = " ".join(message.split())
    if len(message) > MESSAGE_MAX:
        message = message[: MESSAGE_MAX - 1] + "…"
    link = _safe_link(link)

    def create() -> None:
        now = timezone.now()
        Notification.objects.bulk_create(
            Notification(user_id=pk, message=message, link=link, created_at=now) for pk in user_ids
        )

    transaction.on_commit(create)


def _addresses(users: Iterable) -> list[str]:
    """The email addresses of the active ones among ``users`` (users or user ids), each once,
    in the order given."""
    given = [u for u in users if u is not None]
    ids = [u for u in given if not hasattr(u, "pk")]
    by_id = (
        dict(get_user_model().objects.filter(pk__in=ids, is_active=True).values_list("pk", "email"))
        if ids
        else {}
    )
    emails = [
        by_id.get(u) if not hasattr(u, "pk") else (u.email if u.is_active else None) for u in given
    ]
    return list(dict.fromkeys(e for e in emails if e))


def email_users(*, users: Iterable, subject: str, body: str, key: str = "") -> None:
    """Email each of ``users`` (users or user ids; inactive ones are skipped) once the
    transaction commits, one message per person so that nobody sees who else was told.

    The body is plain text with the scheme's name added at the end. Like ``notify`` it
    holds no case content. Each message is its own background work: one that cannot be
    sent is retried and, failing for good, logged while the others still go; the in-app
    notification stays the record that the person was told. ``key`` names the work when
    the caller can (a reminder's ledger key); otherwise each call is its own work."""
    emails = _addresses(users)
    if not emails:
        return
    body = f"{body.rstrip()}\n\n{settings.TANDEM_SCHEME_NAME}\n"
    key = key or uuid.uuid4().hex
    for email in emails:
        run_once(
            deliver_email, key=f"email:{key}:{email}"[:200], to=email, subject=subject, body=body
        )


def send_email(*, to: str, subject: str, body: str, key: str = "") -> None:
    """Email one address (someone who may have no account yet) once the transaction
    commits, through the task worker like ``email_users``; the body is sent as given."""
    if not to:
        return
    key = key or uuid.uuid4().hex
    run_once(deliver_email, key=f"email:{key}:{to}"[:200], to=to, subject=subject, body=body)


@background
def deliver_email(*, to: str, subject: str, body: str) -> None:
    """The background work behind ``email_users`` and ``send_email``: raises on failure, so
    that it is retried."""
    send_mail(subject, body, None, [to])


def unread_count(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_all_read(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@require_http_methods(["GET", "POST"])
def notification_list(request):
    """The signed-in user's own notifications, newest first; POST marks them all read."""
    if request.method == "POST":
        marked = mark_all_read(user=request.user)
        if marked:
            messages.success(request, "All your notifications are marked as read.")
        return redirect("core:notifications")
    notifications = Notification.objects.filter(user=request.user).order_by("-created_at", "-pk")
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "core/notifications.html",
        {"page": page, "notifications": page.object_list, "unread": unread_count(request.user)},
    )
