from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "tandem.privacy"
    label = "privacy"
    verbose_name = "Privacy and information sharing"

    def ready(self):
        # Safeguarding and cases never import privacy: the catalogue pages take an app's
        # own lists, an escalation is heard as it is saved, and the referral status page
        # takes sections from above.
        from django.db.models.signals import post_save

        from tandem.cases.extensions import register_referral_section
        from tandem.matching.guards import CaseHold, register_case_hold
        from tandem.safeguarding.models import Escalation

        from . import (
            audit_labels,  # noqa: F401  (the audit log's wording of its actions)
            catalogues,
        )
        from .receivers import escalation_saved
        from .restrictions import restricted_cases, restriction_reason
        from .selectors import released_reports_section

        catalogues.register()
        post_save.connect(escalation_saved, sender=Escalation, dispatch_uid="privacy.escalation")
        register_referral_section(released_reports_section)
        register_case_hold(
            CaseHold(name="restriction", reason=restriction_reason, held=restricted_cases)
        )
