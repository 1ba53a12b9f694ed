from django.contrib import admin

from support.models import DeskMember, HelpArticle


@admin.register(DeskMember)
class DeskMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "receives_alerts"]
    raw_id_fields = ["user"]


@admin.register(HelpArticle)
class HelpArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "application", "is_published", "updated_at"]
    search_fields = ["title"]
