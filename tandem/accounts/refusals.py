"""Recording refused access (tandem.core.refusals): an audit event per refusal, at most
``RECORD_LIMIT`` per user in each ``WINDOW_SECONDS``, and an alert to administrators when
one user is refused ``ALERT_AT`` times in a window.

A scan that walks ids meets a refusal on every request; recording each one would flood
the log (and lock its chain head for every probe). So within a window a user's first
refusals are recorded one by one, the next one is recorded as ``access.refusals_limited``
(from then on they are only counted), and reaching ``ALERT_AT`` records
``access.refusal_burst`` and notifies every active administrator, once per window.
Windows are fixed slices of time, so a burst split over two windows needs twice the
number to alert: the alert is a tripwire, not a guarantee. Counting uses the shared
cache, so it holds across app servers.

What is recorded: the status, the method, the URL's name (never the path or query, which
may hold search terms) and, for a 404 of a record that exists, that record.
"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from tandem.audit.services import record_event
from tandem.core.notifications import notify

from .models import Role, User

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 10 * 60
RECORD_LIMIT = 10
ALERT_AT = 30

ACCESS_REFUSED = "access.refused"
REFUSALS_LIMITED = "access.refusals_limited"
REFUSAL_BURST = "access.refusal_burst"


def _count(user_id: int) -> int:
    key = f"tandem:refusals:{user_id}:{int(time.time() // WINDOW_SECONDS)}"
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
        return 1


def _where(request) -> str:
    match = getattr(request, "resolver_match", None)
    name = match.view_name if match is not None and match.url_name else "unnamed page"
    return f"{request.method} {name}"[:200]


def record_refusal(request, *, status: int, object_type: str = "", object_id: str = "") -> None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    count = _count(user.pk)
    if count > RECORD_LIMIT + 1 and count != ALERT_AT:
        return
    with transaction.atomic():
        if count <= RECORD_LIMIT:
            record_event(
                actor=user,
                action=ACCESS_REFUSED,
                object_type=object_type,
                object_id=object_id,
                reason=f"Answered {status} to {_where(request)}",
                request=request,
            )
        elif count == RECORD_LIMIT + 1:
            record_event(
                actor=user,
                action=REFUSALS_LIMITED,
                reason=(
                    f"More than {RECORD_LIMIT} refusals in {WINDOW_SECONDS // 60} minutes: "
                    "further ones in this period are counted, not recorded"
                ),
                request=request,
            )
        if count == ALERT_AT:
            _alert(user, request)


def _alert(user, request) -> None:
    minutes = WINDOW_SECONDS // 60
    record_event(
        actor=user,
        action=REFUSAL_BURST,
        reason=f"{ALERT_AT} refusals within {minutes} minutes; administrators alerted",
        request=request,
    )
    administrators = User.objects.filter(
        is_active=True, role_grants__role=Role.ADMINISTRATOR
    ).distinct()
    notify(
        users=administrators,
        message=(
            f"{user.full_name or user.email} was refused access {ALERT_AT} times within "
            f"{minutes} minutes. Check the audit log and whether their account is in use "
            "by someone else."
        ),
        link=f"{reverse('audit:event_list')}?action=access",
    )
    logger.warning("Burst of refused requests by user %s", user.pk)
