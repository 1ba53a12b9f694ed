from django.contrib import admin

from portal.outbox.models import OutboxAttachment, OutboxMessage


class OutboxAttachmentInline(admin.TabularInline):
    model = OutboxAttachment
    fields = ("filename", "content_type")
    readonly_fields = fields
    extra = 0


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "schema_name", "subject", "to")
    list_filter = ("schema_name",)
    search_fields = ("subject", "body")
    inlines = [OutboxAttachmentInline]

    def has_change_permission(self, request, obj=None):
        return False
