from django.db.models import Q

from tandem.core.access import Scope
from tandem.core.permissions import PermissionPolicy

from .models import Case

# The match statuses in which the mentor works with the person (see tandem.matching).
WORKING = ("accepted", "active")


class CasePolicy(PermissionPolicy):
    """A case and what hangs off it; the resource names the part (the case record, its
    assessments, its plan) so each can have its own rule in the access matrix."""

    model = Case

    def __init__(self, resource: str):
        self.resource = resource

    def scope_filter(self, user, scope):
        if scope is Scope.REFERRED:
            return Q(referred_by=user)
        if scope is Scope.MATCHED:
            # A mentor reaches a case through a match they accepted that has not ended
            # (a proposal shows them only the summary on the match page).
            return Q(matches__mentor__user=user, matches__status__in=WORKING)
        if scope is Scope.SUPERVISEES:
            return Q(matches__mentor__supervisor=user, matches__status__in=WORKING)
        return super().scope_filter(user, scope)


cases = CasePolicy("case")
referrals = CasePolicy("referral")
case_plans = CasePolicy("case_plan")
