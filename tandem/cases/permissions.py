from django.db.models import Q

from tandem.core.access import Scope
from tandem.core.permissions import PermissionPolicy

from .models import Case


class CasePolicy(PermissionPolicy):
    """A case and what hangs off it; the resource names the part (the case record, its
    assessments, its plan) so each can have its own rule in the access matrix."""

    model = Case

    def __init__(self, resource: str):
        self.resource = resource

    def scope_filter(self, user, scope):
        if scope is Scope.REFERRED:
            return Q(referred_by=user)
        if scope in (Scope.MATCHED, Scope.SUPERVISEES):
            # A mentor reaches a case through a live match, a supervisor through a
            # supervisee's live match. Matches arrive with the matching capability: until
            # then nobody is matched, so these scopes reach no case.
            return Q(pk__in=[])
        return super().scope_filter(user, scope)


cases = CasePolicy("case")
referrals = CasePolicy("referral")
case_assessments = CasePolicy("case_assessment")
case_plans = CasePolicy("case_plan")
