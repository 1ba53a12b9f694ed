from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header

from portal.outbox.models import OutboxAttachment, OutboxMessage
from portal.outbox.selectors import outbox_list, space_names
from portal.permissions import platform_admin_required


@platform_admin_required
def message_list(request):
    search = request.GET.get("q", "").strip()
    page = Paginator(outbox_list(search=search), 50).get_page(request.GET.get("page"))
    names = space_names(m.schema_name for m in page)
    for message in page:
        message.space_name = names.get(message.schema_name, message.schema_name)
    return render(request, "outbox/message_list.html", {"page": page, "search": search})


@platform_admin_required
def message_detail(request, pk: int):
    message = get_object_or_404(OutboxMessage, pk=pk)
    attachments = message.attachments.only("id", "filename", "content_type")
    message.space_name = space_names([message.schema_name]).get(
        message.schema_name, message.schema_name
    )
    return render(
        request, "outbox/message_detail.html", {"message": message, "attachments": attachments}
    )


@platform_admin_required
def attachment_download(request, pk: int, attachment_pk: int):
    attachment = get_object_or_404(OutboxAttachment, pk=attachment_pk, message_id=pk)
    response = HttpResponse(bytes(attachment.content), content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(True, attachment.filename)
    return response
