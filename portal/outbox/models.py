"""Every e-mail the portal sends, when no SMTP server is configured (public schema)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    created_at = models.DateTimeField(_("envoyé le"), auto_now_add=True, db_index=True)
    # The schema active when the message was sent: which commune sent it ("public": operator).
    schema_name = models.CharField(_("espace"), max_length=63, db_index=True)
    from_email = models.CharField(_("expéditeur"), max_length=254)
    to = models.JSONField(_("destinataires"), default=list)
    cc = models.JSONField(default=list, blank=True)
    bcc = models.JSONField(default=list, blank=True)
    reply_to = models.JSONField(default=list, blank=True)
    subject = models.CharField(_("objet"), max_length=998)
    body = models.TextField(_("texte"))
    html_body = models.TextField(_("HTML"), blank=True)

    class Meta:
        verbose_name = _("courriel")
        verbose_name_plural = _("courriels")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class OutboxAttachment(models.Model):
    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=127)
    content = models.BinaryField()

    class Meta:
        verbose_name = _("pièce jointe")

    def __str__(self) -> str:
        return self.filename
