from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Collectivités"

    def ready(self) -> None:
        from django_tenants.signals import schema_migrated

        from tenants.schema import template_script_warm

        schema_migrated.connect(template_script_warm, dispatch_uid="tenants.template_script_warm")
