"""Public schema: numbers and accounts that refused SMS, and each commune's use per month."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SmsOptOut(models.Model):
    """No SMS to this number (a "STOP" the provider reported, or the citizen's request), or
    to any number of this account (the account page)."""

    class Source(models.TextChoices):
        PROVIDER = "provider", _("réponse STOP")
        ACCOUNT = "account", _("compte de l'usager")

    phone = models.CharField(_("numéro"), max_length=20, blank=True)  # E.164
    user_id = models.BigIntegerField(_("compte"), null=True, blank=True)
    source = models.CharField(_("origine"), max_length=10, choices=Source.choices)
    created_at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        verbose_name = _("refus des SMS")
        constraints = [
            models.UniqueConstraint(
                fields=["phone"], condition=~Q(phone=""), name="sms_optout_one_per_phone"
            ),
            models.UniqueConstraint(
                fields=["user_id"],
                condition=Q(user_id__isnull=False, phone=""),
                name="sms_optout_one_per_account",
            ),
            models.CheckConstraint(
                condition=~Q(phone="") | Q(user_id__isnull=False), name="sms_optout_has_target"
            ),
        ]

    def __str__(self) -> str:
        return self.phone or f"compte {self.user_id}"


class SmsMonth(models.Model):
    """A commune's SMS in one month: counted when each is handed to the provider (the cap
    is checked against ``segments`` in the same statement)."""

    schema_name = models.CharField(_("commune"), max_length=63)
    month = models.DateField(_("mois"))  # first day of the month
    texts = models.PositiveIntegerField(_("SMS envoyés"), default=0)
    segments = models.PositiveIntegerField(_("SMS facturés"), default=0)
    refused = models.PositiveIntegerField(_("SMS non envoyés (plafond)"), default=0)

    class Meta:
        verbose_name = _("SMS du mois")
        constraints = [
            models.UniqueConstraint(fields=["schema_name", "month"], name="sms_month_once")
        ]

    def __str__(self) -> str:
        return f"{self.schema_name} {self.month:%m/%Y}"
