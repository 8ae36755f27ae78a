"""Test data for matching: a mentor who can take a case with a profile that matching
reads, and a case waiting for a match with its needs."""

from __future__ import annotations

from conftest import create_user
from tandem.cases.models import CaseStatus
from tandem.cases.tests.factories import make_case
from tandem.catalogues.models import Area, Language
from tandem.mentors.models import Proficiency
from tandem.mentors.tests.factories import make_matchable_mentor
from tandem.mentors.tests.factories_pool import add_profile

from ..models import CaseNeeds, Match, MatchStatus


def matching_mentor(
    *,
    languages=(("English", Proficiency.FIRST),),
    areas=("Birmingham",),
    specialisms=("youth-work",),
    with_account: bool = False,
    **fields,
):
    """A matchable mentor (checks, accreditation, code) with a profile; with an account
    when ``with_account`` (the mentor role, so they can sign in and answer proposals)."""
    fields.setdefault("caseload_cap", 2)
    fields.setdefault("gender", "female")
    fields.setdefault("age_band", "25-34")
    if with_account:
        fields.setdefault("user", create_user("mentor"))
    mentor = make_matchable_mentor(**fields)
    return add_profile(mentor, languages=languages, areas=areas, specialisms=specialisms)


def waiting_case(
    *,
    languages=("English",),
    area="Birmingham",
    requested_faith=None,
    required_specialism=None,
    availability=0,
    **fields,
):
    """A case awaiting a match that can be mentored in ``languages`` in ``area``, with
    matching's own needs when any is given."""
    fields.setdefault("area", Area.objects.get(name=area) if area else None)
    case = make_case(status=CaseStatus.AWAITING_MATCH, **fields)
    case.languages.set(Language.objects.filter(name__in=languages))
    if requested_faith or required_specialism or availability:
        CaseNeeds.objects.create(
            case=case,
            requested_faith=requested_faith,
            required_specialism=required_specialism,
            availability=availability,
        )
    return case


def live_match(case, mentor, *, status=MatchStatus.PROPOSED, by=None, **fields) -> Match:
    """A match row in ``status`` without going through the services (for fixtures)."""
    if status == MatchStatus.ACTIVE:
        from django.utils import timezone

        fields.setdefault("first_meeting_at", timezone.now())
    if status == MatchStatus.ENDED:
        fields.setdefault("end_reason", "completed")
    return Match.objects.create(
        case=case,
        mentor=mentor,
        status=status,
        score=500,
        proposed_by=by or create_user("coordinator"),
        **fields,
    )
