"""What happens to a convention: notices, avenants, documents, reminders."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from conventions.models.catalogue import Application
from conventions.models.convention import Convention


class Notice(models.Model):
    """A notice of termination (dénonciation) received from one party."""

    class Party(models.TextChoices):
        MEMBER = "member", _("Le membre")
        OPERATOR = "operator", _("L'opérateur")

    class Means(models.TextChoices):
        REGISTERED_LETTER = "registered_letter", _("Lettre recommandée avec AR")
        LETTER = "letter", _("Courrier")
        EMAIL = "email", _("Courriel")
        PORTAL = "portal", _("Portail")

    class Kind(models.TextChoices):
        ORDINARY = "ordinary", _("Dénonciation à l'échéance")
        GENERAL_INTEREST = "general_interest", _("Résiliation pour motif d'intérêt général")
        TARIFF_RISE = "tariff_rise", _("Retrait après hausse de tarif")

    convention = models.ForeignKey(Convention, on_delete=models.PROTECT, related_name="notices")
    party = models.CharField(_("partie"), max_length=10, choices=Party.choices)
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices, default=Kind.ORDINARY)
    received_on = models.DateField(_("reçue le"))
    means = models.CharField(_("moyen"), max_length=20, choices=Means.choices)
    # What the rules made of it when it was recorded.
    on_time = models.BooleanField(_("dans les délais"))
    ends_on = models.DateField(_("dernier jour de la convention"))
    reason = models.TextField(_("motif"), blank=True)
    letter = models.ForeignKey(
        "conventions.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn = models.BooleanField(_("retirée"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("dénonciation")
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return f"dénonciation du {self.received_on} ({self.party})"


class Amendment(models.Model):
    """An avenant: applications added or removed from an effective date."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Demandé")
        ACCEPTED = "accepted", _("Accepté")
        REFUSED = "refused", _("Refusé")
        APPLIED = "applied", _("Appliqué")

    convention = models.ForeignKey(Convention, on_delete=models.PROTECT, related_name="amendments")
    number = models.PositiveSmallIntegerField(_("avenant n°"))
    state = models.CharField(
        _("état"), max_length=10, choices=State.choices, default=State.REQUESTED
    )
    requested_on = models.DateField(_("demandé le"))
    answer_due_on = models.DateField(_("réponse due le"))
    effective_on = models.DateField(_("prend effet le"))
    add = models.ManyToManyField(Application, related_name="+", blank=True)
    remove = models.ManyToManyField(Application, related_name="+", blank=True)
    note = models.TextField(_("objet"), blank=True)
    answered_on = models.DateField(_("réponse le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("avenant")
        ordering = ["convention", "number"]
        constraints = [
            models.UniqueConstraint(fields=["convention", "number"], name="amendment_number_unique")
        ]

    def __str__(self) -> str:
        return f"avenant n°{self.number}"

    @property
    def awaiting_answer(self) -> bool:
        return self.state == self.State.REQUESTED


class Document(models.Model):
    """A file of a convention: issued by the worker (owed until then) or uploaded.

    Stored in the database so that it is written in the transaction of the step that owes
    or brings it. An owed document has no content yet; the worker issues it once."""

    class Kind(models.TextChoices):
        AGREEMENT = "agreement", _("Convention à signer")
        SIGNED = "signed", _("Convention signée (scan)")
        NOTICE_LETTER = "notice_letter", _("Courrier de dénonciation")
        AMENDMENT = "amendment", _("Avenant")
        USAGE_REPORT = "usage_report", _("Compte rendu annuel d'utilisation")

    ISSUED = (Kind.AGREEMENT, Kind.AMENDMENT, Kind.USAGE_REPORT)

    convention = models.ForeignKey(Convention, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    amendment = models.ForeignKey(
        Amendment, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True)  # usage reports
    filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, default="application/pdf")
    size = models.PositiveIntegerField(default=0)
    content = models.BinaryField(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)  # None: owed
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document de convention")
        ordering = ["created_at", "id"]
        constraints = [
            # An agreement PDF once per convention, an avenant once, a report once per year.
            models.UniqueConstraint(
                fields=["convention"],
                condition=Q(kind="agreement"),
                name="convention_document_one_agreement",
            ),
            models.UniqueConstraint(
                fields=["amendment"],
                condition=Q(kind="amendment"),
                name="convention_document_one_per_amendment",
            ),
            models.UniqueConstraint(
                fields=["convention", "year"],
                condition=Q(kind="usage_report"),
                name="convention_document_one_report_per_year",
            ),
        ]

    def __str__(self) -> str:
        return self.filename or self.kind

    @property
    def is_owed(self) -> bool:
        return self.issued_at is None


class Reminder(models.Model):
    """A reminder the daily job owes (one per convention and key: the job may run any number
    of times) and what it says. Sending it once is portal.owed's guarantee (kind
    ``OWED_KIND``, subject this row; sent by ``conventions.reminder_send``)."""

    OWED_KIND = "conventions.reminder"

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="reminders")
    key = models.CharField(max_length=80)
    due_on = models.DateField()
    text = models.TextField(default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "key"], name="conventions_reminder_one_per_key"
            )
        ]

    def __str__(self) -> str:
        return self.key
