"""What the mentor register reads from meetings: how many sessions each mentor has held.

Registered with ``tandem.mentors.quality.register_held_session_counter`` in
``MeetingsConfig.ready()``; the register's level checks and accreditation pages call it
through there, for one mentor or a whole list in one query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from django.db.models import Count
from django.utils import timezone

from .models import Session, SessionStatus


def held_session_counts(mentor_ids: Collection[int], on: dt.date) -> dict[int, int]:
    """Held sessions of each mentor that started on or before ``on`` (the scheme's local
    date), in one query."""
    end = timezone.make_aware(dt.datetime.combine(on + dt.timedelta(days=1), dt.time.min))
    rows = (
        Session.objects.filter(
            mentor_id__in=list(mentor_ids), status=SessionStatus.HELD, starts_at__lt=end
        )
        .values("mentor_id")
        .annotate(held=Count("pk"))
        .order_by()
    )
    return {row["mentor_id"]: row["held"] for row in rows}
