"""Finding a person by name, or by name and date of birth, through the blind indexes.

Names are encrypted, so the database cannot compare them; it compares their keyed blind
indexes instead (docs/encryption.md). The match is exact after normalisation (case,
spacing and Unicode forms do not matter; spelling and accents do). A name is typed in
one box: every way of splitting it into a first and a last name is indexed, so
"Mary Ann Smith" finds both Mary Ann | Smith and Mary | Ann Smith.

Reads only: the search's audit event is written by ``services.search``.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from tandem.core.encryption import blind_index_parts, normalise

from .models import Case
from .permissions import CasePolicy
from .selectors import waiting_since

NAME_PURPOSE = "cases.client.name"
IDENTITY_PURPOSE = "cases.client.identity"
# More than this and the coordinator is asked to add the date of birth.
RESULT_LIMIT = 50
# A name has at most this many words worth splitting (each split is one index to look up).
MAX_WORDS = 8

search_policy = CasePolicy("person_search")


def name_splits(name: str) -> list[tuple[str, str]]:
    """Every (first name, last name) reading of a name typed in one box."""
    words = normalise(name).split(" ")
    if len(words) < 2:
        return []
    return [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]


def search_indexes(name: str, date_of_birth: dt.date | None) -> tuple[str, list[str]]:
    """The index column to look in, and the indexes that a person of that name (and date
    of birth) would have there."""
    splits = name_splits(name)
    if date_of_birth is None:
        return "name_index", [
            blind_index_parts(first, last, purpose=NAME_PURPOSE) for first, last in splits
        ]
    born = date_of_birth.isoformat()
    return "identity_index", [
        blind_index_parts(first, last, born, purpose=IDENTITY_PURPOSE) for first, last in splits
    ]


def find_people(*, actor, name: str, date_of_birth: dt.date | None = None) -> QuerySet[Case]:
    """The cases ``actor`` may search whose person has exactly this name (and date of
    birth), newest referral first; one query, whatever the number of cases."""
    column, indexes = search_indexes(name, date_of_birth)
    if not indexes:
        return Case.objects.none()
    return (
        search_policy.queryset(actor, "view")
        .filter(**{f"{column}__in": indexes})
        .annotate(waiting_since=waiting_since())
        .select_related("area", "concern_type")
        .order_by("-received_at", "-pk")
    )
