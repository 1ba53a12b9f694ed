from django.apps import AppConfig


class OwedConfig(AppConfig):
    name = "portal.owed"
    label = "owed"
    verbose_name = "Documents dus"
