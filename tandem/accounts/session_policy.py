"""How long a signed-in session has left before the absolute limit
(``TANDEM_SESSION_ABSOLUTE_TIMEOUT``), which no activity and no "Stay signed in" can
extend. Read by the timeout-warning dialog and the keep-alive answer; the limit itself is
enforced by ``SessionPolicyMiddleware``."""

from __future__ import annotations

import math
import time

from django.conf import settings

from .session_keys import SESSION_STARTED_KEY


def absolute_seconds_left(session, *, now: float | None = None) -> int:
    """Whole seconds until the session reaches its absolute limit, rounded up and one
    second later, so that a page acting on it arrives after the limit, never before."""
    now = time.time() if now is None else now
    started = session.get(SESSION_STARTED_KEY, now)
    left = started + settings.TANDEM_SESSION_ABSOLUTE_TIMEOUT - now
    return max(0, math.ceil(left) + 1)
