"""The technical administration: the catalogue and the agreement models are edited here
(the five seeds ship ready); members' conventions change only through their services."""

from django.contrib import admin

from conventions.catalogue import application_catalogue_changed
from conventions.models import Application, Convention, ConventionModel


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "citizen_path", "is_default", "position"]
    ordering = ["position"]

    # Communes' home pages list the catalogue from the shared cache: forget it on change.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        application_catalogue_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        application_catalogue_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        application_catalogue_changed()


@admin.register(ConventionModel)
class ConventionModelAdmin(admin.ModelAdmin):
    list_display = ["name", "seed", "pricing", "tacit_renewal", "notice_rule", "is_offered"]
    filter_horizontal = ["applications"]


@admin.register(Convention)
class ConventionAdmin(admin.ModelAdmin):
    list_display = ["reference", "collectivite", "model", "state", "signed_on", "ends_on"]
    list_filter = ["state", "model"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
