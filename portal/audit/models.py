"""Chain-head anchors of the tenants' journals (public schema).

A tenant's journal lives in its own schema; its latest sequence number and hash are also
kept here, outside that schema, so that entries cut from the end of the chain (which leave
no gap in it) are still detected by ``manage.py verify_journal``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class JournalAnchor(models.Model):
    """Head of one tenant's journal chain: moved forward only (trigger, migration 0002)."""

    # The database itself deletes the anchor with its collectivité (ON DELETE CASCADE, migration
    # 0002): it refuses any other deletion, which would let the chain be rewound.
    collectivite = models.OneToOneField(
        "tenants.Collectivite",
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
