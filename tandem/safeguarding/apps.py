from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "tandem.safeguarding"
    label = "safeguarding"
    verbose_name = "Safeguarding"

    def ready(self):
        # Meetings never imports safeguarding: it offers private_notes_readers and the
        # catalogue pages take an app's own lists; safeguarding fills both here.
        from tandem.core.access import Scope
        from tandem.meetings.permissions import private_notes_readers

        from . import (
            audit_labels,  # noqa: F401  (the audit log's wording of its actions)
            catalogues,
        )
        from .permissions import sessions_with_concerns

        private_notes_readers.register(Scope.MATCHED, sessions_with_concerns)
        catalogues.register()
