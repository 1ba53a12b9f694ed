"""One row per legally owed document, in each tenant's schema (see portal/owed/__init__)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OwedDocument(models.Model):
    # "<app>.<document>", e.g. "sve.aee"; the subject is the row it is about (request...).
    kind = models.CharField(_("document"), max_length=60)
    subject_id = models.BigIntegerField(_("objet"))
    # Celery task (by name) that issues it, called with the subject's id.
    task = models.CharField(_("tâche"), max_length=100)
    owed_at = models.DateTimeField(_("dû depuis"), default=timezone.now)
    queued_at = models.DateTimeField(_("mis en file le"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("envois à la file"), default=1)
    issued_at = models.DateTimeField(_("émis le"), null=True, blank=True)
    # Not to be issued before (an SMS owed in the quiet hours waits for the morning).
    due_at = models.DateTimeField(_("pas avant"), null=True, blank=True)

    class Meta:
        verbose_name = _("document dû")
        verbose_name_plural = _("documents dus")
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject_id"], name="owed_one_per_subject")
        ]
        indexes = [
            models.Index(
                fields=["queued_at"], condition=Q(issued_at__isnull=True), name="owed_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.subject_id}"
