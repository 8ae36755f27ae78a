"""Supervision's view of safeguarding: a debrief after a serious concern on a mentor's
case, and the open concerns on the oversight page. Safeguarding sits below supervision
and never imports it; supervision listens to its ``concern_raised`` signal."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection

from django.db.models import Count, Q

from tandem.matching.models import WORKING
from tandem.mentors.models import Mentor
from tandem.safeguarding.models import Concern, ConcernStatus

from .selectors import ConcernCount
from .services import debrief_require

OPEN = ~Q(status=ConcernStatus.CLOSED)


def debrief_after_serious_concern(sender, *, concern: Concern, actor, request=None, **kwargs):
    """A concern of a serious category on a case requires a debrief of each mentor
    working with the person; one about a mentor's own safety, of that mentor."""
    if not concern.category.is_serious:
        return
    if concern.case_id is not None:
        mentors = Mentor.objects.filter(
            matches__case_id=concern.case_id, matches__status__in=WORKING
        ).distinct()
    else:
        mentors = Mentor.objects.filter(pk=concern.mentor_id)
    for mentor in mentors:
        debrief_require(
            mentor=mentor,
            reason_code=f"concern:{concern.category.code}",
            source=f"safeguarding.concern:{concern.pk}",
            actor=actor,
            request=request,
        )


def open_concern_counts(mentor_ids: Collection[int]) -> dict[int, ConcernCount]:
    """Open concerns per mentor: on the cases they work with, and about themselves
    (two queries whatever the number of mentors)."""
    counts: Counter[int] = Counter()
    on_cases = (
        Concern.objects.filter(
            OPEN, case__matches__mentor_id__in=mentor_ids, case__matches__status__in=WORKING
        )
        .values("case__matches__mentor_id")
        .annotate(n=Count("pk", distinct=True))
    )
    for row in on_cases:
        counts[row["case__matches__mentor_id"]] += row["n"]
    about_them = (
        Concern.objects.filter(OPEN, mentor_id__in=mentor_ids)
        .values("mentor_id")
        .annotate(n=Count("pk"))
    )
    for row in about_them:
        counts[row["mentor_id"]] += row["n"]
    return {mentor_id: ConcernCount(n) for mentor_id, n in counts.items()}
