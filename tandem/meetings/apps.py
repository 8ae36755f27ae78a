from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "tandem.meetings"
    label = "meetings"
    verbose_name = "Meetings"

    def ready(self):
        from tandem.mentors.quality import register_held_session_counter

        from .accreditation import held_session_counts

        # The mentor register counts supervised sessions through this extension point,
        # so that it never imports meetings.
        register_held_session_counter(held_session_counts)
