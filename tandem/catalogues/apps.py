from django.apps import AppConfig


class CataloguesConfig(AppConfig):
    name = "tandem.catalogues"
    label = "catalogues"
    verbose_name = "Catalogues"
