from django.contrib import admin

from tenants.models import Collectivite, CollectiviteEvent, CommuneReference, Domain, Membership


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


@admin.register(CollectiviteEvent)
class CollectiviteEventAdmin(admin.ModelAdmin):
    list_display = ("at", "collectivite", "action", "actor", "reason")
    list_filter = ("action",)
    readonly_fields = ("at", "collectivite", "action", "actor", "reason")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CommuneReference)
class CommuneReferenceAdmin(admin.ModelAdmin):
    list_display = ("name", "insee_code", "departement", "population_totale", "population_year")
    list_filter = ("departement",)
    search_fields = ("search_name", "insee_code")
