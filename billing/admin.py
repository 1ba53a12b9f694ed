"""Technical administration: the issuer, debtors' Chorus identifiers, package choices and
complementary services used (seed 003). Issued titres are read-only everywhere."""

from django.contrib import admin

from billing.models import BillingProfile, ConventionPackage, Issuer, ServiceUsage


@admin.register(Issuer)
class IssuerAdmin(admin.ModelAdmin):
    list_display = ["name", "siret", "signatory_last_name", "accountant"]


@admin.register(BillingProfile)
class BillingProfileAdmin(admin.ModelAdmin):
    list_display = ["collectivite", "siret", "service_code", "engagement_number"]
    raw_id_fields = ["collectivite"]


@admin.register(ConventionPackage)
class ConventionPackageAdmin(admin.ModelAdmin):
    list_display = ["convention", "package_code", "decided_by"]
    raw_id_fields = ["convention"]


@admin.register(ServiceUsage)
class ServiceUsageAdmin(admin.ModelAdmin):
    list_display = ["convention", "year", "service_code", "quantity", "used_on"]
    raw_id_fields = ["convention"]
    list_filter = ["year"]
