"""For each resource with object URLs: how to make an object linked to the user and one
that is not, and which scopes the linked object satisfies; and what each role's user
needs to exist for its own pages. Later capabilities add their resources here."""

from __future__ import annotations

from dataclasses import dataclass

from conftest import create_user
from tandem.core.access import Scope


@dataclass(frozen=True)
class Objects:
    own: dict
    other: dict
    # The scopes through which the user reaches ``own`` (ALL reaches both).
    own_via: frozenset[Scope]


def _user_accounts(user):
    other = create_user("mentor")
    return Objects({"pk": user.pk}, {"pk": other.pk}, frozenset({Scope.OWN}))


def _own_mentor(user):
    """The mentor record linked to ``user``: their own if they are a mentor, their
    supervisee if they are a supervisor."""
    from tandem.mentors.models import Mentor
    from tandem.mentors.tests.factories import make_mentor

    mentor = Mentor.objects.filter(user=user).first()
    if mentor is None:
        mentor = make_mentor(user=user, supervisor=user)
    elif mentor.supervisor_id is None:
        Mentor.objects.filter(pk=mentor.pk).update(supervisor=user)
    return mentor


def _mentors(user):
    from tandem.mentors.tests.factories import make_mentor

    return Objects(
        {"pk": _own_mentor(user).pk},
        {"pk": make_mentor().pk},
        frozenset({Scope.OWN, Scope.SUPERVISEES}),
    )


def _cases(user):
    """A case the user referred, and someone else's. No case can be linked to a mentor
    or supervisor until matches exist, so ``own`` reaches them through no scope."""
    from tandem.cases.tests.factories import make_case

    return Objects(
        {"pk": make_case(referred_by=user).pk},
        {"pk": make_case().pk},
        frozenset({Scope.REFERRED}),
    )


def _matches(user):
    """A match of the user's own mentor record (their supervisee's, for a supervisor),
    and a match of another mentor."""
    from tandem.cases.tests.factories import make_case
    from tandem.matching.tests.factories import live_match
    from tandem.mentors.tests.factories import make_mentor

    own = live_match(make_case(), _own_mentor(user))
    other = live_match(make_case(), make_mentor())
    return Objects({"pk": own.pk}, {"pk": other.pk}, frozenset({Scope.OWN, Scope.SUPERVISEES}))


def _batches(user):
    """A draft batch with one pair (its case is the ``case_pk`` of the per-case pages)."""
    from tandem.cases.models import CaseStatus
    from tandem.cases.tests.factories import make_case
    from tandem.matching.models import BatchPair, BatchProposal
    from tandem.mentors.tests.factories import make_mentor

    def batch():
        made = BatchProposal.objects.create(created_by=create_user("coordinator"))
        case = make_case(status=CaseStatus.AWAITING_MATCH)
        BatchPair.objects.create(batch=made, case=case, mentor=make_mentor(), score=500)
        return {"pk": made.pk, "case_pk": case.pk}

    return Objects(batch(), batch(), frozenset())


def _advice(user):
    """A case the user works with as a mentor (their supervisee does, for a
    supervisor) with a question in a specialism the user holds, asked by someone else;
    and another mentor's case with a question in a specialism the user does not hold."""
    from tandem.cases.tests.factories import make_case
    from tandem.catalogues.models import Specialism
    from tandem.matching.models import MatchStatus
    from tandem.matching.tests.factories import live_match
    from tandem.meetings.models import AdviceQuestion
    from tandem.mentors.models import MentorSpecialism, MentorStatus
    from tandem.mentors.tests.factories import make_mentor

    mine, theirs = Specialism.objects.order_by("pk")[:2]
    mentor = _own_mentor(user)
    type(mentor).objects.filter(pk=mentor.pk).update(status=MentorStatus.ACTIVE)
    MentorSpecialism.objects.get_or_create(mentor=mentor, specialism=mine)

    def question(case_mentor, specialism):
        case = make_case()
        live_match(case, case_mentor, status=MatchStatus.ACTIVE)
        asked = AdviceQuestion.objects.create(
            case=case, specialism=specialism, asked_by=create_user("mentor"), question="How?"
        )
        return {"case_pk": case.pk, "pk": asked.pk}

    return Objects(
        question(mentor, mine),
        question(make_mentor(), theirs),
        frozenset({Scope.MATCHED, Scope.SUPERVISEES, Scope.OWN}),
    )


OBJECT_BUILDERS = {
    "user_account": _user_accounts,
    "mentor": _mentors,
    "mentor_vetting": _mentors,
    "mentor_training": _mentors,
    "referral": _cases,
    "case": _cases,
    "case_assessment": _cases,
    "case_plan": _cases,
    "case_matching": _cases,
    "match": _matches,
    "matching_batch": _batches,
    "advice_question": _advice,
}

# What a role's user needs to exist so that its own pages have something to show.
ROLE_CONTEXT = {
    "mentor": _own_mentor,
}

# URLs whose parameters are not objects of a resource (for example tokens).
STATIC_KWARGS = {
    "accounts:password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
}
