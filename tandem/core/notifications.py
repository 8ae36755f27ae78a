"""In-app notifications: short messages for one user with a link to the page concerned.

Any capability notifies through ``notify``; the rows are written when the surrounding
transaction commits, so a change that rolls back never leaves a message behind. A
notification never holds case content: say what happened and link to where the user
may look (the page itself checks what they may see).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from .models import Notification

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
