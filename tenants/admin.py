from django.contrib import admin

from tenants.models import Collectivite, Domain, Membership


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


@admin.register(Collectivite)
class CollectiviteAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "insee_code", "slug", "status", "population_totale")
    list_filter = ("kind", "status")
    search_fields = ("name", "insee_code", "slug")
    readonly_fields = ("schema_name", "created_at")
    inlines = [DomainInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "collectivite", "role", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("user__email", "collectivite__name")
    autocomplete_fields = ("user", "collectivite")
