"""E-mail backend that stores each message, with its attachments, in the outbox table."""

from email.mime.base import MIMEBase

from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction

from portal.outbox.models import OutboxAttachment, OutboxMessage


def _attachment_parts(message) -> list[tuple[str, str, bytes]]:
    parts = []
    for attachment in message.attachments:
        if isinstance(attachment, MIMEBase):
            content = attachment.get_payload(decode=True) or b""
            parts.append(
                (
                    attachment.get_filename() or "piece-jointe",
                    attachment.get_content_type(),
                    content,
                )
            )
        else:
            filename, content, mimetype = attachment
            if isinstance(content, str):
                content = content.encode()
            parts.append(
                (filename or "piece-jointe", mimetype or "application/octet-stream", content)
            )
    return parts


class OutboxEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages:
            html = next(
                (
                    body
                    for body, mime in getattr(message, "alternatives", [])
                    if mime == "text/html"
                ),
                "",
            )
            with transaction.atomic():
                stored = OutboxMessage.objects.create(
                    schema_name=connection.schema_name,
                    from_email=message.from_email,
                    to=list(message.to),
                    cc=list(message.cc),
                    bcc=list(message.bcc),
                    reply_to=list(message.reply_to),
                    subject=message.subject,
                    body=message.body,
                    html_body=html,
                )
                OutboxAttachment.objects.bulk_create(
                    OutboxAttachment(
                        message=stored, filename=name, content_type=mime, content=content
                    )
                    for name, mime, content in _attachment_parts(message)
                )
            sent += 1
        return sent
