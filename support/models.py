"""Public schema: members' assistance requests to the operator, and the help articles.

Requests live in the public schema because they are between a member and the operator: the
desk reads every member's requests in one queue, and a member reads only its own (the
views filter on the host's collectivité, and answer 404 for any other).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DeskMember(models.Model):
    """The "support" role: an account that works on the operator's desk (platform admins
    work there too without this row)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="support_desk"
    )
    receives_alerts = models.BooleanField(_("reçoit les alertes du support"), default=True)

    class Meta:
        verbose_name = _("membre du support")
        verbose_name_plural = _("membres du support")

    def __str__(self) -> str:
        return str(self.user)


class SupportRequestQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status__in=SupportRequest.CLOSED_STATUSES)


class SupportRequest(models.Model):
    class Kind(models.TextChoices):
        # Seed 001 art. 4: "demande d'assistance ou de prestation" and "demande de
        # résolution d'incident", plus the administrative and production requests of the
        # same article, each with its own delay.
        ASSISTANCE = "assistance", _("Assistance ou prestation")
        INCIDENT = "incident", _("Incident")
        ADMINISTRATIVE = "administrative", _("Demande administrative")
        PRODUCTION = "production", _("Mise en production")

    class Status(models.TextChoices):
        NEW = "new", _("Nouvelle")
        TAKEN = "taken", _("Prise en compte")
        WAITING_MEMBER = "waiting_member", _("En attente de la collectivité")
        RESOLVED = "resolved", _("Résolue")
        CLOSED = "closed", _("Fermée")

    CLOSED_STATUSES = (Status.RESOLVED, Status.CLOSED)

    reference = models.CharField(_("référence"), max_length=20, unique=True)
    collectivite = models.ForeignKey(
        "tenants.Collectivite", on_delete=models.CASCADE, related_name="support_requests"
    )
    kind = models.CharField(_("type de demande"), max_length=20, choices=Kind.choices)
    application = models.CharField(_("application concernée"), max_length=50, blank=True)
    subject = models.CharField(_("objet"), max_length=200)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(_("déposée le"))
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("suivie par"),
    )
    # The first clock: taking the request into account (4 hours, seed 001 art. 4).
    take_due_at = models.DateTimeField(_("prise en compte due le"))
    taken_at = models.DateTimeField(_("prise en compte le"), null=True, blank=True)
    # The second clock, for administrative (one week) and production (one month) requests.
    answer_due_at = models.DateTimeField(_("réponse due le"), null=True, blank=True)
    # Production: the month runs once every element is given, and pauses while the desk
    # waits for the member (seed 001 art. 4).
    elements_complete_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.PositiveBigIntegerField(default=0)
    waiting_since = models.DateTimeField(null=True, blank=True)
    # Incidents: the likely restoration time the member is kept informed of.
    restoration_eta = models.DateTimeField(_("rétablissement probable"), null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = SupportRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("demande d'assistance")
        verbose_name_plural = _("demandes d'assistance")
        indexes = [
            models.Index(fields=["status", "take_due_at"]),
            models.Index(fields=["collectivite", "filed_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(taken_at__isnull=True) | Q(taken_at__gte=models.F("filed_at")),
                name="support_taken_after_filed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status not in self.CLOSED_STATUSES

    @property
    def is_incident(self) -> bool:
        return self.kind == self.Kind.INCIDENT

    @property
    def next_due_at(self):
        """The due time that matters now: taking into account, then the answer."""
        if self.taken_at is None:
            return self.take_due_at
        if self.is_open and self.status != self.Status.WAITING_MEMBER:
            return self.answer_due_at
        return None


class SupportMessage(models.Model):
    class Kind(models.TextChoices):
        DESCRIPTION = "description", _("Description")
        REPLY = "reply", _("Réponse")
        NOTE = "note", _("Note interne")
        EVENT = "event", _("Suivi")

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_desk = models.BooleanField(default=False)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_internal(self) -> bool:
        return self.kind == self.Kind.NOTE


class SupportAttachment(models.Model):
    """A file of a message, stored with it (as SVE stores citizens' files)."""

    message = models.ForeignKey(
        SupportMessage, on_delete=models.CASCADE, related_name="attachments"
    )
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    data = models.BinaryField()

    def __str__(self) -> str:
        return self.name


class SupportNotice(models.Model):
    """An e-mail the desk owes: what it is about, recorded in the same transaction as what
    owes it (one per request, kind and key). Sending it once is portal.owed's guarantee
    (kind ``OWED_KIND``, subject this row): the worker sends it inside ``owed_issuing`` and
    the owed sweep queues it again if the queue was lost."""

    OWED_KIND = "support.notice"

    class Kind(models.TextChoices):
        FILED = "filed", _("Dépôt")
        REPLY = "reply", _("Réponse")
        ETA = "eta", _("Délai de rétablissement")
        DUE_SOON = "due_soon", _("Échéance dans l'heure")
        CLOSED_IDLE = "closed_idle", _("Clôture faute de réponse")

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What the notice is about: a message id, a due time, an ETA... (owed once per key).
    key = models.CharField(max_length=64, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["request", "kind", "key"], name="support_notice_one_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class ReferenceCounter(models.Model):
    """The last reference number given in a year (row locked when a request is filed)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class HelpArticle(models.Model):
    """Online help written by the operator; members are invited to read it before filing
    (seed 001 art. 4)."""

    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte"))
    application = models.CharField(_("application"), max_length=50, blank=True)
    is_published = models.BooleanField(_("publié"), default=True)
    # Title and text folded (no accents, lower case) for searching (portal.text).
    search_text = models.TextField(editable=False, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("article d'aide")
        verbose_name_plural = _("articles d'aide")

    def __str__(self) -> str:
        return self.title
