from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tandem.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from tandem.core.refusals import register_refusal_recorder

        from . import (
            audit_labels,  # noqa: F401  (the audit log's wording of its actions)
            signals,  # noqa: F401
        )
        from .refusals import record_refusal

        register_refusal_recorder(record_refusal)
