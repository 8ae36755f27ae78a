"""Who reaches evaluation exports: each evaluator their own (resource ``evaluation_export``)."""

from __future__ import annotations

from django.db.models import Q

from tandem.core.access import Scope
from tandem.core.permissions import PermissionPolicy

from .models import EvaluationExport


class EvaluationExportPolicy(PermissionPolicy):
    resource = "evaluation_export"
    model = EvaluationExport

    def scope_filter(self, user, scope):
        if scope is Scope.OWN:
            return Q(requested_by=user)
        return super().scope_filter(user, scope)


evaluation_exports = EvaluationExportPolicy()
