from django.apps import AppConfig


class RehabilitationConfig(AppConfig):
    name = "tandem.rehabilitation"
    label = "rehabilitation"
    verbose_name = "Rehabilitation"
