from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "tandem.reports"
    label = "reports"
    verbose_name = "Reports and evaluation"

    def ready(self):
        from . import audit_labels  # noqa: F401
