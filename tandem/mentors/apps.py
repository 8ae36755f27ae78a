from django.apps import AppConfig


class MentorsConfig(AppConfig):
    name = "tandem.mentors"
    label = "mentors"
    verbose_name = "Mentor register"

    def ready(self):
        from . import audit_labels  # noqa: F401  (the audit log's wording of its actions)
