from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "tandem.assessments"
    label = "assessments"
    verbose_name = "Assessments"

    def ready(self):
        from . import audit_labels  # noqa: F401  (the audit log's wording of its actions)
