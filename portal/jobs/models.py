"""Runs of periodic jobs, recorded in each tenant's own schema."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminée")
        FAILED = "failed", _("Échec")

    job = models.CharField(_("tâche"), max_length=100, db_index=True)
    started_at = models.DateTimeField(_("début"), auto_now_add=True)
    finished_at = models.DateTimeField(_("fin"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    result = models.JSONField(_("résultat"), default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("exécution de tâche")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M}"
