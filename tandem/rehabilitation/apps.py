from django.apps import AppConfig


class RehabilitationConfig(AppConfig):
    name = "tandem.rehabilitation"
    label = "rehabilitation"
    verbose_name = "Rehabilitation"

    def ready(self):
        # Meetings and matching never import rehabilitation: they offer extension points
        # and the pathway fills them here.
        from tandem.matching.guards import CaseHold, register_case_hold
        from tandem.meetings.extensions import register_planning_check, register_session_action

        from . import audit_labels  # noqa: F401  (the audit log's wording of its actions)
        from .rules import custody_visit_action, licence_warnings, panel_held, panel_hold_reason

        register_planning_check("licence_conditions", licence_warnings)
        register_session_action("custody_visit", custody_visit_action)
        register_case_hold(CaseHold(name="panel", reason=panel_hold_reason, held=panel_held))
