from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "tandem.meetings"
    label = "meetings"
    verbose_name = "Meetings"

    def ready(self):
        # The lower apps never import meetings: they offer a signal or an extension
        # point, and meetings connects to it here.
        from django.db.models.signals import post_delete, post_save

        from tandem.matching.signals import match_started
        from tandem.mentors.quality import register_held_session_counter

        from . import (
            audit_labels,  # noqa: F401  (the audit log's wording of its actions)
            catalogues,
        )
        from .accreditation import held_session_counts
        from .models import Session
        from .receivers import first_session_from_match, session_deleted, session_saved

        match_started.connect(first_session_from_match, dispatch_uid="meetings.match_started")
        post_save.connect(session_saved, sender=Session, dispatch_uid="meetings.session_saved")
        post_delete.connect(
            session_deleted, sender=Session, dispatch_uid="meetings.session_deleted"
        )
        register_held_session_counter(held_session_counts)
        catalogues.register()
