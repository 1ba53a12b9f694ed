from django.apps import AppConfig


class ConventionsConfig(AppConfig):
    name = "conventions"
    verbose_name = "Conventions"

    def ready(self):
        # Issue 27: tenants reads the catalogue and runs the onboarding step through portal/.
        from conventions import catalogue, onboarding
        from portal.catalogue import catalogue_register
        from portal.onboarding import onboarding_step_register

        catalogue_register(catalogue)
        onboarding_step_register(onboarding.STEP)
