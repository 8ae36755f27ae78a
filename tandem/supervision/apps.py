from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "tandem.supervision"
    label = "supervision"
    verbose_name = "Supervision"

    def ready(self):
        # The register never imports supervision: it offers blocking rules for
        # "can take a case today" and supervision registers its two here.
        # Safeguarding, below it too, tells it of concerns through a signal.
        from tandem.mentors.matchability import register_blocking_rule
        from tandem.safeguarding.signals import concern_raised

        from . import audit_labels  # noqa: F401  (the audit log's wording of its actions)
        from .concerns import debrief_after_serious_concern, open_concern_counts
        from .rules import LEVEL_CAP_RULE, OVERDUE_RULE
        from .selectors import register_concern_counter

        register_blocking_rule(OVERDUE_RULE)
        register_blocking_rule(LEVEL_CAP_RULE)
        register_concern_counter(open_concern_counts)
        # The rules read these: matching's kept pool is rebuilt when they change.
        from tandem.matching.poolcache import register_pool_source

        from .models import LevelRule, SupervisionPolicy, SupervisionRecord, SupervisorAssignment

        register_pool_source(SupervisionPolicy, LevelRule, SupervisorAssignment, SupervisionRecord)
        concern_raised.connect(
            debrief_after_serious_concern, dispatch_uid="supervision.concern_raised"
        )
