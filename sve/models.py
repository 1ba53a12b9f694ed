"""Tenant schema: form catalogue, requests, acknowledgements, deadlines, journal."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Regime(models.TextChoices):
    # CRPA L231-1: silence is worth acceptance by default; L231-4 lists refusal exceptions.
    SVA = "sva", _("Silence vaut accord")
    SVR = "svr", _("Silence vaut refus")


class Form(models.Model):
    """A form of the commune's catalogue; its content lives in versions."""

    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    template_code = models.CharField(_("modèle d'origine"), max_length=50, blank=True)
    is_enabled = models.BooleanField(_("en ligne"), default=False)
    current_version = models.ForeignKey(
        "FormVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("formulaire")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.current_version.title if self.current_version_id else self.slug


class FormVersion(models.Model):
    """One immutable version of a form: a request keeps the version it was filed with."""

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("présentation"), blank=True)
    # List of field specs: {"name", "label", "type", "required", "help", "choices",
    # "allowed_types", "max_bytes", "subfields"} (see sve.fields).
    fields = models.JSONField(default=list)
    regime = models.CharField(_("régime"), max_length=3, choices=Regime.choices)
    # False for reports and questions (sve.deadlines.implicit_outcome_announced): no
    # implicit outcome is announced or brought about, agents close them as handled.
    asks_decision = models.BooleanField(_("demande une décision"), default=True)
    delay_months = models.PositiveSmallIntegerField(_("délai (mois)"), default=2)
    delay_days = models.PositiveSmallIntegerField(_("délai (jours)"), default=0)
    service_name = models.CharField(_("service instructeur"), max_length=200)
    service_address = models.TextField(_("adresse postale du service"), blank=True)
    service_email = models.EmailField(_("courriel du service"), blank=True)
    service_phone = models.CharField(_("téléphone du service"), max_length=30, blank=True)
    appeal_routes = models.TextField(_("voies de recours"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("version de formulaire")
        ordering = ["form", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["form", "number"], name="sve_formversion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.number})"


class Status(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Déposée")
    ACKNOWLEDGED = "acknowledged", _("Accusé de réception envoyé")
    AWAITING_PIECES = "awaiting_pieces", _("En attente de pièces")
    INSTRUCTION = "instruction", _("En cours d'instruction")
    ACCEPTED = "accepted", _("Acceptée")
    REJECTED = "rejected", _("Refusée")
    IMPLICITLY_ACCEPTED = "implicitly_accepted", _("Acceptée implicitement")
    IMPLICITLY_REJECTED = "implicitly_rejected", _("Refusée implicitement")
    CLOSED = "closed", _("Classée sans suite")
    HANDLED = "handled", _("Traitée")


OPEN_STATUSES = (Status.SUBMITTED, Status.ACKNOWLEDGED, Status.AWAITING_PIECES, Status.INSTRUCTION)
# Open statuses in which the implicit-decision delay runs (CRPA L114-5: a request for
# pieces stops or suspends it).
CLOCK_RUNNING_STATUSES = (Status.SUBMITTED, Status.ACKNOWLEDGED, Status.INSTRUCTION)
FINAL_STATUSES = (
    Status.ACCEPTED,
    Status.REJECTED,
    Status.IMPLICITLY_ACCEPTED,
    Status.IMPLICITLY_REJECTED,
    Status.CLOSED,
    Status.HANDLED,
)


# Links to global accounts (public schema) are DO_NOTHING without a database constraint:
# an account is deleted from the public schema, where tenant tables are not reachable.


class Request(models.Model):
    form = models.ForeignKey(Form, on_delete=models.PROTECT, related_name="requests")
    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="+")
    # NULL for drafts: unique among filed requests only.
    reference = models.CharField(_("référence"), max_length=20, unique=True, null=True)  # noqa: DJ001
    # Unguessable link for a citizen who filed without an account.
    access_token = models.CharField(max_length=43, unique=True)
    status = models.CharField(
        _("statut"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    session_key = models.CharField(max_length=40, blank=True)
    # CRPA R112-9-1: identity of the applicant filing electronically.
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    postal_address = models.TextField(_("adresse postale"), blank=True)
    email = models.EmailField(_("courriel"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    regime = models.CharField(_("régime"), max_length=3, choices=Regime.choices, blank=True)
    received_at = models.DateTimeField(_("reçue le"), null=True, blank=True)
    received_on = models.DateField(null=True, blank=True)
    ar_due_on = models.DateField(_("AR dû le"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("AR envoyé le"), null=True, blank=True)
    implicit_decision_on = models.DateField(_("décision implicite le"), null=True, blank=True)
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decision_reasons = models.TextField(_("motifs"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("demande")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "implicit_decision_on"], name="sve_req_status_deadline"),
            models.Index(fields=["user"], name="sve_req_user"),
            # The agents' table (sve.selectors.requests_table), drafts never shown: its
            # default sort and "Plus récentes" read a page from the index instead of sorting
            # every request (issue 11 §4).
            models.Index(
                F("implicit_decision_on").asc(nulls_last=True),
                F("received_at").asc(nulls_last=True),
                "id",
                name="sve_req_table_deadline",
                condition=~Q(status="draft"),
            ),
            models.Index(
                F("received_at").desc(nulls_last=True),
                "id",
                name="sve_req_table_received",
                condition=~Q(status="draft"),
            ),
        ]

    def __str__(self) -> str:
        return self.reference or f"brouillon {self.pk}"

    @property
    def applicant_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class PieceRequest(models.Model):
    """CRPA L114-5: what is missing from an incomplete request, and by when."""

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="piece_requests")
    items = models.TextField(_("pièces ou informations manquantes"))
    asked_on = models.DateField()
    due_on = models.DateField(_("à fournir avant le"))
    completed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.items[:60]


class Message(models.Model):
    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    from_agent = models.BooleanField(default=False)
    internal = models.BooleanField(_("note interne"), default=False)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]


class Document(models.Model):
    """A file of a request: what the citizen sent, or what the commune issued. Stored in the
    database so that it is written in the same transaction as the step that made it."""

    class Kind(models.TextChoices):
        UPLOAD = "upload", _("Pièce jointe à la demande")
        PIECE = "piece", _("Pièce complémentaire")
        MESSAGE = "message", _("Pièce jointe à un message")
        AEE = "aee", _("Accusé d'enregistrement électronique")
        AR = "ar", _("Accusé de réception")
        DECISION = "decision", _("Décision")
        ATTESTATION = "attestation", _("Attestation de décision implicite d'acceptation")

    ISSUED = (Kind.AEE, Kind.AR, Kind.DECISION, Kind.ATTESTATION)

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    field_name = models.CharField(max_length=80, blank=True)
    message = models.ForeignKey(
        Message, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    content = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # One issued acknowledgement of each kind per request: tasks may run twice.
            models.UniqueConstraint(
                fields=["request", "kind"],
                condition=models.Q(kind__in=["aee", "ar", "decision", "attestation"]),
                name="sve_document_one_ack",
            )
        ]

    def __str__(self) -> str:
        return self.filename


class JournalEntry(models.Model):
    """Append-only journal (UPDATE/DELETE refused by a trigger); hash-chained per tenant."""

    seq = models.PositiveBigIntegerField(unique=True)
    request = models.ForeignKey(
        Request, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="journal"
    )
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=40)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"{self.seq} {self.action}"
