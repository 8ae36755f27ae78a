"""Test data for the case lists: cases with every relation a list row shows filled in
(concern type, area, preferred and spoken languages), at a chosen age of waiting."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from conftest import create_user
from tandem.cases.models import Case, CaseStatus
from tandem.catalogues.models import Area, ConcernType, Language

from .factories import make_case

_n = itertools.count(1)


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def listed_case(
    *, referred_by=None, status=CaseStatus.REFERRED, waiting_days: int | None = None, **fields
) -> Case:
    """A case with every relation populated. ``waiting_days`` sets when the current wait
    began: the referral for cases before a match, the status change for those waiting
    for a match (and for others, both)."""
    n = next(_n)
    fields.setdefault("first_name", f"Quillon{n}")
    fields.setdefault("last_name", "Farthingale")
    fields.setdefault("area", Area.objects.order_by("name")[n % 7])
    fields.setdefault("concern_type", ConcernType.objects.order_by("position")[n % 9])
    fields.setdefault("preferred_language", Language.objects.get(name="Urdu"))
    if waiting_days is not None:
        fields.setdefault("received_at", days_ago(waiting_days))
        fields.setdefault("status_changed_at", days_ago(waiting_days))
    case = make_case(referred_by=referred_by or create_user("referrer"), status=status, **fields)
    case.languages.set(Language.objects.filter(name__in=["English", "Urdu"]))
    return case
