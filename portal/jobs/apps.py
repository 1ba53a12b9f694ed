from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "portal.jobs"
    label = "jobs"
    verbose_name = "Tâches périodiques"

    def ready(self):
        from portal.jobs import registry

        registry.autodiscover()
