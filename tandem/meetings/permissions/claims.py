"""Who reaches which claims: a mentor their own (through the mentor record linked to
their account), coordinators all. The sessions a mentor may claim for are reached by
the same rule, so a claim for someone else's session answers 404."""

from __future__ import annotations

from django.db.models import Q

from tandem.core.access import Scope
from tandem.core.permissions import PermissionPolicy

from ..models import Claim, ClaimRate, Session


class ClaimPolicy(PermissionPolicy):
    model = Claim

    def __init__(self, resource: str):
        self.resource = resource

    def scope_filter(self, user, scope):
        if scope is Scope.OWN:
            return Q(mentor__user=user)
        return super().scope_filter(user, scope)


class SessionClaimPolicy(PermissionPolicy):
    """Claiming for a session: the mentor whose session it was."""

    resource = "session_claim"
    model = Session

    def scope_filter(self, user, scope):
        if scope is Scope.OWN:
            return Q(mentor__user=user)
        return super().scope_filter(user, scope)


class ClaimRatePolicy(PermissionPolicy):
    resource = "claim_rate"
    model = ClaimRate


claims = ClaimPolicy("claim")
claim_queue = ClaimPolicy("claim_queue")
session_claims = SessionClaimPolicy()
claim_rates = ClaimRatePolicy()
