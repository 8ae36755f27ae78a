from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tandem.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self):
        from . import audit_labels  # noqa: F401  (the audit log's wording of its actions)
