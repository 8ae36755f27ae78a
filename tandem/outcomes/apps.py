from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "tandem.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes"

    def ready(self):
        from . import audit_labels  # noqa: F401  (the audit log's wording of its actions)
