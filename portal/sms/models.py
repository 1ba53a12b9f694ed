"""Tenant schema: every SMS a commune sends (or decided not to send), and its monthly cap."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KIND_LABELS = {
    "confirmation": _("Confirmation"),
    "reminder": _("Rappel"),
    "cancellation": _("Annulation"),
}


class TextMessage(models.Model):
    """One SMS owed for a subject (an appointment's reminder...), written when the owed row
    is issued: sent at most once by ``text_deliver`` (see portal/sms/services.py)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("en attente d'envoi")
        SENDING = "sending", _("en cours d'envoi")
        SENT = "sent", _("envoyé")
        DELIVERED = "delivered", _("reçu")
        UNDELIVERED = "undelivered", _("non distribué")
        FAILED = "failed", _("refusé par l'opérateur")
        UNKNOWN = "unknown", _("envoi interrompu")
        SKIPPED = "skipped", _("non envoyé")

    # The owed row's kind ("rendezvous.sms.reminder") and subject (the appointment).
    kind = models.CharField(_("message"), max_length=60)
    subject_id = models.BigIntegerField(_("objet"))
    phone = models.CharField(_("numéro"), max_length=20, blank=True)
    body = models.TextField(_("texte"), blank=True)
    segments = models.PositiveSmallIntegerField(_("SMS facturés"), default=0)
    status = models.CharField(_("état"), max_length=12, choices=Status.choices)
    reason = models.CharField(_("motif"), max_length=200, blank=True)
    provider_ref = models.CharField(_("référence de l'opérateur"), max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), default=timezone.now)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    status_at = models.DateTimeField(_("état du"), default=timezone.now)

    class Meta:
        verbose_name = _("SMS")
        verbose_name_plural = _("SMS")
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject_id"], name="sms_one_per_subject")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=["queued", "sending"]),
                name="sms_to_deliver",
            ),
            models.Index(fields=["sent_at"], name="sms_sent_at"),
            models.Index(fields=["provider_ref"], name="sms_provider_ref"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.subject_id} ({self.status})"

    def get_kind_display(self) -> str:
        # "rendezvous.sms.reminder" -> "Rappel" (the apps' kinds end with these words).
        return str(KIND_LABELS.get(self.kind.rsplit(".", 1)[-1], self.kind))


class SmsSettings(models.Model):
    """One row per commune: its monthly cap on SMS (segments billed); empty = no cap."""

    monthly_cap = models.PositiveIntegerField(_("plafond mensuel (SMS)"), null=True, blank=True)

    class Meta:
        verbose_name = _("réglages des SMS")

    def __str__(self) -> str:
        return "Réglages des SMS"

    @classmethod
    def current(cls) -> "SmsSettings":
        row = cls.objects.order_by("pk").first()
        return row or cls.objects.create()
