from django.apps import AppConfig


class CataloguesConfig(AppConfig):
    name = "tandem.catalogues"
    label = "catalogues"
    verbose_name = "Catalogues"

    def ready(self):
        from . import audit_labels  # noqa: F401  (the audit log's wording of its actions)
