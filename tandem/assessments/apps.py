from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "tandem.assessments"
    label = "assessments"
    verbose_name = "Assessments"

    def ready(self):
        # Imported here, once every model is loaded.
        from tandem.cases.guidance import register_fact_source
        from tandem.cases.lifecycle import READY_FOR_MATCH, register_requirement

        from .selectors import assessment_facts, assessment_requirement

        register_requirement(READY_FOR_MATCH, assessment_requirement)
        register_fact_source(assessment_facts)
        from . import audit_labels  # noqa: F401  (the audit log's wording of its actions)
