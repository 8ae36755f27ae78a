from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tandem.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self):
        # Imported here, once every model is loaded.
        from .lifecycle import READY_FOR_MATCH, register_requirement
        from .selectors import consent_requirement

        register_requirement(READY_FOR_MATCH, consent_requirement)
        from . import audit_labels  # noqa: F401  (the audit log's wording of its actions)
