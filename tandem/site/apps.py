from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "tandem.site"
    label = "site"
    verbose_name = "Tandem site"
