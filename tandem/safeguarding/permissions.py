"""Who reaches what in safeguarding.

- ``concern``: the safeguarding lead reaches every concern and acts on it; coordinators
  see every concern; whoever raised a concern sees it (``own``).
- ``concern_raise``: raising a concern about a case: coordinators and the lead about any
  case, the matched mentor about their case, a supervisor about their supervisees' cases
  (the case's own relationship scopes). A mentor may also raise one about their own
  safety without a case.
- ``session_concern``: raising a concern from a session: the session's rule (its mentor,
  their supervisor, coordinators) plus the lead.
- ``case_concerns``: a case's Safeguarding tab (category, urgency, status; no content).
- The lead also reads the private notes of a session a concern refers to: meetings'
  ``private_notes_readers`` gets ``sessions_with_concerns`` for the ``matched`` scope.
"""

from __future__ import annotations

from django.db.models import Q

from tandem.cases.permissions import CasePolicy
from tandem.core.access import Scope
from tandem.core.permissions import PermissionPolicy
from tandem.meetings.permissions import SessionPolicy

from .models import Concern, SafeguardingPolicy


def sessions_with_concerns(user) -> Q:
    """The sessions a safeguarding concern refers to (a filter on Session)."""
    return Q(safeguarding_concerns__isnull=False)


class ConcernPolicy(PermissionPolicy):
    resource = "concern"
    model = Concern

    def scope_filter(self, user, scope):
        if scope is Scope.OWN:
            return Q(raised_by=user)
        return super().scope_filter(user, scope)


class ConcernQueuePolicy(ConcernPolicy):
    resource = "concern_queue"


class PolicyPolicy(PermissionPolicy):
    resource = "safeguarding_policy"
    model = SafeguardingPolicy


concerns = ConcernPolicy()
queue = ConcernQueuePolicy()
concern_raise = CasePolicy("concern_raise")
case_concerns = CasePolicy("case_concerns")
session_concern = SessionPolicy("session_concern")
policy = PolicyPolicy()
