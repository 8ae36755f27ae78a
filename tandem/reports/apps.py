from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "tandem.reports"
    label = "reports"
    verbose_name = "Reports and evaluation"

    def ready(self):
        from django.db.models.signals import post_save

        from tandem.privacy.models import Erasure, MentorErasure, Restriction

        from . import audit_labels  # noqa: F401
        from .kept import forget

        # A restriction placed or lifted, or an erasure (of a person, or of a mentor in the
        # pool's figures), changes who the dashboard counts:
        # every kept dashboard and analytics page is then computed afresh.
        post_save.connect(forget, sender=Restriction, dispatch_uid="reports.restriction")
        post_save.connect(forget, sender=Erasure, dispatch_uid="reports.erasure")
        post_save.connect(forget, sender=MentorErasure, dispatch_uid="reports.mentor_erasure")
