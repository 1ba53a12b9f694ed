from django.apps import AppConfig


class SveConfig(AppConfig):
    name = "sve"
    verbose_name = "Démarches en ligne (SVE)"
