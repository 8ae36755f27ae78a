from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "tandem.meetings"
    label = "meetings"
    verbose_name = "Meetings"

    def ready(self):
        from tandem.matching.signals import match_started

        from .receivers import first_session_from_match

        match_started.connect(first_session_from_match, dispatch_uid="meetings.match_started")
