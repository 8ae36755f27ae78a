"""Test data for specialist advice: a case with a working match, the mentor who works
with it, a supervisor, and an adviser who holds a specialism."""

from __future__ import annotations

from dataclasses import dataclass

from conftest import create_user
from tandem.cases.tests.factories import make_case
from tandem.catalogues.models import Specialism
from tandem.matching.models import MatchStatus
from tandem.matching.tests.factories import live_match
from tandem.mentors.models import MentorSpecialism, MentorStatus
from tandem.mentors.tests.factories import make_mentor

from ..models import AdviceAnswer, AdviceQuestion, MeetingBrief


@dataclass
class AdviceWorld:
    case: object
    mentor_user: object
    supervisor: object
    adviser: object
    specialism: Specialism


def adviser(specialism: Specialism, *, status=MentorStatus.ACTIVE):
    """A user with the mentor role whose mentor record holds ``specialism``."""
    user = create_user("mentor")
    mentor = make_mentor(user=user, status=status)
    MentorSpecialism.objects.create(mentor=mentor, specialism=specialism)
    return user


def advice_world(*, first_name="Aisha", last_name="Begum", preferred_name="") -> AdviceWorld:
    specialism = Specialism.objects.get(code="islamic-theology")
    supervisor = create_user("supervisor")
    mentor_user = create_user("mentor")
    mentor = make_mentor(user=mentor_user, status=MentorStatus.ACTIVE, supervisor=supervisor)
    case = make_case(first_name=first_name, last_name=last_name)
    live_match(case, mentor, status=MatchStatus.ACTIVE)
    if preferred_name:
        MeetingBrief.objects.create(
            case=case, preferred_name=preferred_name, updated_by=create_user("coordinator")
        )
    return AdviceWorld(case, mentor_user, supervisor, adviser(specialism), specialism)


def ask(world: AdviceWorld, text="How do I answer a question about jihad?", **fields):
    fields.setdefault("specialism", world.specialism)
    return AdviceQuestion.objects.create(
        case=world.case, asked_by=world.mentor_user, question=text, **fields
    )


def answer(question, by, text="Explain the inner struggle; point to mainstream scholars."):
    return AdviceAnswer.objects.create(question=question, answered_by=by, answer=text)
