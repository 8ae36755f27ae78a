from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from tandem.core.access import Scope
from tandem.core.permissions import PermissionPolicy

from .models import Case

# Relationships that other apps give people with a case: a scope → the cases it reaches
# for a user. tandem.matching registers ``matched`` (the mentor) and ``supervisees``
# (their supervisor); a scope nobody registered reaches no case.
_relationship_scopes: dict[Scope, Callable[[object], Q]] = {}


def register_relationship_scope(scope: Scope, cases_reached: Callable[[object], Q]) -> None:
    """Let ``scope`` reach the cases ``cases_reached(user)`` selects (a filter on Case)."""
    if scope in _relationship_scopes:
        raise ImproperlyConfigured(f"The {scope} scope of cases is already registered.")
    _relationship_scopes[scope] = cases_reached


class CasePolicy(PermissionPolicy):
    """A case and what hangs off it; the resource names the part (the case record, its
    assessments, its plan) so each can have its own rule in the access matrix."""

    model = Case

    def __init__(self, resource: str):
        self.resource = resource

    def scope_filter(self, user, scope):
        if scope is Scope.REFERRED:
            return Q(referred_by=user)
        if scope in _relationship_scopes:
            return _relationship_scopes[scope](user)
        return super().scope_filter(user, scope)


cases = CasePolicy("case")
referrals = CasePolicy("referral")
case_plans = CasePolicy("case_plan")
