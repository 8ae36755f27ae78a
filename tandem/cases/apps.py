from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tandem.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self):
        from . import audit_labels  # noqa: F401  (the audit log's wording of its actions)
