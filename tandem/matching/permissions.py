from django.db.models import Q

from tandem.cases.models import Case
from tandem.core.access import Scope
from tandem.core.permissions import PermissionPolicy

from .models import WORKING, BatchProposal, Match


# The cases a working match reaches, for the cases app's relationship scopes (registered
# in apps.py). A proposal is not enough: it shows the mentor only the summary on the
# match page.
def cases_mentored_by(user) -> Q:
    return Q(matches__mentor__user=user, matches__status__in=WORKING)


def cases_of_supervisees(user) -> Q:
    return Q(matches__mentor__supervisor=user, matches__status__in=WORKING)


class MatchPolicy(PermissionPolicy):
    """A match: the mentor reaches their own (proposals included), a supervisor their
    supervisees'."""

    model = Match

    def __init__(self, resource: str):
        self.resource = resource

    def scope_filter(self, user, scope):
        if scope is Scope.OWN:
            return Q(mentor__user=user)
        if scope is Scope.SUPERVISEES:
            return Q(mentor__supervisor=user)
        return super().scope_filter(user, scope)


class BatchPolicy(PermissionPolicy):
    resource = "matching_batch"
    model = BatchProposal


class CaseMatchingPolicy(PermissionPolicy):
    """Matching a case: the suggestions, proposing, the needs matching reads."""

    resource = "case_matching"
    model = Case


matches = MatchPolicy("match")
match_list = MatchPolicy("match_list")
batches = BatchPolicy()
case_matching = CaseMatchingPolicy()
