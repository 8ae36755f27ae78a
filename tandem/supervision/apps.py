from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "tandem.supervision"
    label = "supervision"
    verbose_name = "Supervision"

    def ready(self):
        # The register never imports supervision: it offers blocking rules for
        # "can take a case today" and supervision registers its two here.
        from tandem.mentors.matchability import register_blocking_rule

        from .rules import LEVEL_CAP_RULE, OVERDUE_RULE

        register_blocking_rule(OVERDUE_RULE)
        register_blocking_rule(LEVEL_CAP_RULE)
