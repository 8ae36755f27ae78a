from django.db.models import Q

from tandem.cases.permissions import CasePolicy
from tandem.core.access import Scope
from tandem.core.permissions import PermissionPolicy
from tandem.matching.models import WORKING
from tandem.mentors.models import MentorSpecialism, MentorStatus

from ..models import AdviceQuestion


def held_specialisms(user):
    """The specialisms ``user`` holds as an active mentor (a subquery)."""
    return MentorSpecialism.objects.filter(
        mentor__user=user, mentor__status=MentorStatus.ACTIVE
    ).values("specialism_id")


class AdviceQuestionPolicy(PermissionPolicy):
    """A question for specialist advice. ``own`` is the adviser's reach: questions in a
    specialism the user holds as an active mentor, asked by someone else. ``matched``
    and ``supervisees`` reach the questions of the cases the user may see."""

    resource = "advice_question"
    model = AdviceQuestion

    def scope_filter(self, user, scope):
        if scope is Scope.OWN:
            return Q(specialism__in=held_specialisms(user)) & ~Q(asked_by=user)
        if scope is Scope.MATCHED:
            return Q(case__matches__mentor__user=user, case__matches__status__in=WORKING)
        if scope is Scope.SUPERVISEES:
            return Q(case__matches__mentor__supervisor=user, case__matches__status__in=WORKING)
        return super().scope_filter(user, scope)


# The case whose questions are read or asked about: the same rule as the case record's.
case_advice = CasePolicy("advice_question")
questions = AdviceQuestionPolicy()
