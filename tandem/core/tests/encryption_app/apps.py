from django.apps import AppConfig


class EncryptionAppConfig(AppConfig):
    """Models that exist only to test tandem.core.encryption (installed by test settings)."""

    name = "tandem.core.tests.encryption_app"
    label = "encryption_app"
    default_auto_field = "django.db.models.BigAutoField"
