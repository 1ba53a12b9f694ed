from django.apps import AppConfig


class SealedConfig(AppConfig):
    name = "portal.sealed"
    label = "sealed"
    verbose_name = "Actes scellés"
