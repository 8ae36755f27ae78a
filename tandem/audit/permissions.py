from tandem.core.permissions import PermissionPolicy

from .models import AuditEvent


class AuditLogPolicy(PermissionPolicy):
    """The audit log: coordinators and administrators see all of it (see the access matrix)."""

    resource = "audit_log"
    model = AuditEvent

    def base_queryset(self):
        return AuditEvent.objects.select_related("actor")


audit_log = AuditLogPolicy()
