"""One row per issued act (see portal/sealed/__init__)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SealedDocument(models.Model):
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, unique=True)
    # The member's schema (``public``: the operator's own acts, titres de recette).
    schema_name = models.CharField(_("schéma"), max_length=63)
    # "<app>.<document>", e.g. "sve.ar"; its label and reference as the act states them.
    kind = models.CharField(_("nature"), max_length=60)
    label = models.CharField(_("intitulé"), max_length=200)
    reference = models.CharField(_("référence"), max_length=60)
    issued_at = models.DateTimeField(_("émis le"))

    class Meta:
        verbose_name = _("acte scellé")
        verbose_name_plural = _("actes scellés")

    def __str__(self) -> str:
        return f"{self.label} {self.reference}"
