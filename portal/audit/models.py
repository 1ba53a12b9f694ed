"""Chain-head anchors of the tenants' journals (public schema).

A tenant's journal lives in its own schema; its latest sequence number and hash are also
kept here, outside that schema, so that entries cut from the end of the chain (which leave
no gap in it) are still detected by ``manage.py verify_journal``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JournalAnchor(models.Model):
    """Head of one tenant's journal chain: moved forward only (trigger, migration 0002)."""

    # The database itself deletes the anchor with its collectivité (ON DELETE CASCADE, migration
    # 0002): it refuses any other deletion, which would let the chain be rewound.
    collectivite = models.OneToOneField(
        settings.TENANT_MODEL,  # the tenant model, named by settings (portal imports no app)
        on_delete=models.DO_NOTHING,
        primary_key=True,
        related_name="journal_anchor",
    )
    seq = models.PositiveBigIntegerField(_("dernière entrée"), default=0)
    hash = models.CharField(_("empreinte de la dernière entrée"), max_length=64)
    updated_at = models.DateTimeField(_("mise à jour le"), auto_now=True)

    class Meta:
        verbose_name = _("ancre de journal")
        verbose_name_plural = _("ancres de journal")

    def __str__(self) -> str:
        return f"{self.collectivite_id} n°{self.seq}"


class HistoryEntry(models.Model):
    """One entry of the audit trail (portal.audit.trail): who did what to which object,
    when, for which collectivité, from which address. Append-only (trigger, migration 0003)
    and hash-chained per stream (portal.audit.chain); the stream's head is kept in
    ``HistoryHead``. Streams: one per collectivité, one for the platform, and the older
    named streams of conventions and billing."""

    stream = models.CharField(_("historique"), max_length=50)
    seq = models.PositiveBigIntegerField(_("numéro"))
    subject_type = models.CharField(_("type d'objet"), max_length=100)
    subject_id = models.CharField(_("objet"), max_length=64)
    # A plain id rather than a foreign key: deleting an account must not rewrite history.
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(_("auteur"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=60)
    payload = models.JSONField(_("détails"), default=dict, blank=True)
    created_at = models.DateTimeField(_("date"))
    # The collectivité concerned (None: the platform); a plain id like actor_id, so that an
    # archived collectivité's trail outlives it.
    collectivite_id = models.BigIntegerField(_("collectivité"), null=True, blank=True)
    summary = models.CharField(_("résumé"), max_length=300, blank=True)
    ip = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("entrée d'historique")
        verbose_name_plural = _("entrées d'historique")
        ordering = ["stream", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="audit_history_stream_seq")
        ]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="audit_history_subject"),
            # the journal pages: newest first, for everyone or for one collectivité
            models.Index(fields=["-created_at", "-id"], name="audit_history_recent"),
            models.Index(
                fields=["collectivite_id", "-created_at", "-id"], name="audit_history_commune"
            ),
            models.Index(fields=["actor_id", "-created_at"], name="audit_history_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.stream} n°{self.seq} {self.action}"


class HistoryHead(models.Model):
    """Head (last seq and hash) of one history stream: moved forward only (trigger)."""

    stream = models.CharField(max_length=50, primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tête d'historique")
        verbose_name_plural = _("têtes d'historique")

    def __str__(self) -> str:
        return f"{self.stream} n°{self.seq}"
