"""Tenant schema: services, places, agendas, slots, appointments (seed 000 booking brochure).

Agents are global accounts (public schema) with a tenants.Membership in the commune; tenant
rows store their id (``agent_id``) rather than a foreign key across schemas.
"""

import secrets
import uuid

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Q, Value
from django.utils.translation import gettext_lazy as _

from portal.text import search_key


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Mode(models.TextChoices):
    IN_PERSON = "in_person", _("Sur place")
    PHONE = "phone", _("Par téléphone")
    VISIO = "visio", _("En visio")


# Upper bounds of what a commune configures (issue 8: values near 2^31 broke the search page
# and the reminder job). Generous for real use, small enough for date arithmetic.
MAX_REMINDER_HOURS = 24 * 30
MAX_DELAY_HOURS = 24 * 365
MAX_DELAY_DAYS = 2 * 365
MAX_DURATION_MINUTES = 24 * 60


class RendezvousSettings(models.Model):
    """One row per commune: its visio provider and reminder delay."""

    visio_base_url = models.URLField(_("adresse du service de visio"), blank=True)
    reminder_hours = models.PositiveIntegerField(
        _("rappel envoyé (heures avant)"),
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REMINDER_HOURS)],
    )

    class Meta:
        verbose_name = _("réglages des rendez-vous")
        constraints = [
            models.CheckConstraint(
                condition=Q(reminder_hours__gte=1, reminder_hours__lte=MAX_REMINDER_HOURS),
                name="rendezvous_settings_reminder_bounded",
            )
        ]

    def __str__(self) -> str:
        return "Réglages des rendez-vous"

    @classmethod
    def current(cls) -> "RendezvousSettings":
        row = cls.objects.order_by("pk").first()
        return row or cls.objects.create()

    @property
    def visio_base(self) -> str:
        base = self.visio_base_url or settings.RENDEZVOUS_VISIO_BASE_URL
        return base if base.endswith("/") else base + "/"


class Service(models.Model):
    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        verbose_name = _("service")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_text = search_key(f"{self.name} {self.description}")
        super().save(*args, **kwargs)


WEEKDAYS = [
    (0, _("lundi")),
    (1, _("mardi")),
    (2, _("mercredi")),
    (3, _("jeudi")),
    (4, _("vendredi")),
    (5, _("samedi")),
    (6, _("dimanche")),
]


class Place(models.Model):
    """A place citizens come to. Its weekly hours (PlaceHours) are the one source of what
    citizens read about opening times and bound the slots offered there (rendezvous/hours.py)."""

    name = models.CharField(_("nom"), max_length=200)
    address = models.TextField(_("adresse"))
    access_info = models.TextField(_("informations d'accès"), blank=True)
    # The mairie's reception: its hours are the commune's on the home page (at most one).
    is_reception = models.BooleanField(
        _("accueil de la mairie"),
        default=False,
        help_text=_("Ses horaires sont ceux affichés sur la page d'accueil de la commune."),
    )
    # The hours as they were typed before they were structured (issue 11), when the data
    # migration could not read them: shown to the admin only, to re-enter them.
    former_hours_text = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("lieu")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_reception"],
                condition=Q(is_reception=True),
                name="place_one_reception",
                violation_error_message=_("Un autre lieu est déjà l'accueil de la mairie."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class PlaceHours(models.Model):
    """One opening range of a place on a weekday (Monday 8:30-12:00, Monday 13:30-17:00...).
    Ranges of a day do not overlap: rendezvous.services.place_save checks it, the place's row
    locked."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("jour"), choices=WEEKDAYS)
    opens = models.TimeField(_("ouverture"))
    closes = models.TimeField(_("fermeture"))

    class Meta:
        verbose_name = _("horaire d'ouverture")
        verbose_name_plural = _("horaires d'ouverture")
        ordering = ["place", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")), name="place_hours_times_ordered"
            ),
            models.UniqueConstraint(
                fields=["place", "weekday", "opens"], name="place_hours_one_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class AppointmentType(models.Model):
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="types")
    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    keywords = models.CharField(_("mots-clés"), max_length=500, blank=True)
    duration_minutes = models.PositiveIntegerField(
        _("durée (minutes)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(MAX_DURATION_MINUTES)],
    )
    modes = ArrayField(
        models.CharField(max_length=10, choices=Mode.choices),
        verbose_name=_("modalités"),
        default=list,
    )
    documents_to_bring = models.TextField(_("documents à apporter"), blank=True)
    min_delay_hours = models.PositiveIntegerField(
        _("délai minimal (heures)"), default=2, validators=[MaxValueValidator(MAX_DELAY_HOURS)]
    )
    max_delay_days = models.PositiveIntegerField(
        _("délai maximal (jours)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DELAY_DAYS)],
    )
    cancellable_until_hours = models.PositiveIntegerField(
        _("annulable par l'usager jusqu'à (heures avant)"),
        default=24,
        validators=[MaxValueValidator(MAX_DELAY_HOURS)],
    )
    buffer_minutes = models.PositiveIntegerField(
        _("battement après (minutes)"),
        default=0,
        validators=[MaxValueValidator(MAX_DURATION_MINUTES)],
    )
    is_active = models.BooleanField(_("proposé en ligne"), default=True)
    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        verbose_name = _("type de rendez-vous")
        verbose_name_plural = _("types de rendez-vous")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(modes=[]), name="appointment_type_has_mode"),
            # Bounded so that date arithmetic on them cannot overflow (issue 8).
            models.CheckConstraint(
                condition=Q(
                    duration_minutes__gte=5,
                    duration_minutes__lte=MAX_DURATION_MINUTES,
                    buffer_minutes__lte=MAX_DURATION_MINUTES,
                    min_delay_hours__lte=MAX_DELAY_HOURS,
                    cancellable_until_hours__lte=MAX_DELAY_HOURS,
                    max_delay_days__gte=1,
                    max_delay_days__lte=MAX_DELAY_DAYS,
                ),
                name="appointment_type_delays_bounded",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        service_name = self.service.name if self.service_id else ""
        self.search_text = search_key(
            f"{self.name} {self.description} {self.keywords} {service_name}"
        )
        super().save(*args, **kwargs)

    def get_modes_display(self) -> list[str]:
        return [Mode(m).label for m in self.modes]


class OpeningRule(models.Model):
    """An agent's recurring weekly opening: every <weekday> from start to end time."""

    agent_id = models.BigIntegerField(_("agent"), db_index=True)
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="opening_rules")
    types = models.ManyToManyField(AppointmentType, related_name="opening_rules")
    weekday = models.PositiveSmallIntegerField(_("jour"), choices=WEEKDAYS)
    start_time = models.TimeField(_("de"))
    end_time = models.TimeField(_("à"))
    valid_from = models.DateField(_("à partir du"))
    valid_until = models.DateField(_("jusqu'au"), null=True, blank=True)

    class Meta:
        verbose_name = _("plage d'ouverture")
        verbose_name_plural = _("plages d'ouverture")
        ordering = ["agent_id", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="opening_rule_times_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"


class Absence(models.Model):
    """An agent's absence: one-off (from/to datetimes) or weekly (weekday and times)."""

    agent_id = models.BigIntegerField(_("agent"), db_index=True)
    reason = models.CharField(_("motif"), max_length=200, blank=True)
    # one-off
    starts_at = models.DateTimeField(_("début"), null=True, blank=True)
    ends_at = models.DateTimeField(_("fin"), null=True, blank=True)
    # weekly
    weekday = models.PositiveSmallIntegerField(
        _("jour"), null=True, blank=True, choices=OpeningRule._meta.get_field("weekday").choices
    )
    start_time = models.TimeField(_("de"), null=True, blank=True)
    end_time = models.TimeField(_("à"), null=True, blank=True)
    valid_from = models.DateField(_("à partir du"), null=True, blank=True)
    valid_until = models.DateField(_("jusqu'au"), null=True, blank=True)

    class Meta:
        verbose_name = _("absence")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(starts_at__isnull=False, ends_at__gt=F("starts_at"), weekday__isnull=True)
                    | Q(
                        starts_at__isnull=True,
                        weekday__isnull=False,
                        end_time__gt=F("start_time"),
                        valid_from__isnull=False,
                    )
                ),
                name="absence_one_off_or_weekly",
            )
        ]

    def __str__(self) -> str:
        return self.reason or "Absence"

    @property
    def is_recurring(self) -> bool:
        return self.weekday is not None


class Appointment(models.Model):
    class Status(models.TextChoices):
        HELD = "held", _("Créneau retenu")
        BOOKED = "booked", _("Confirmé")
        SEEN = "seen", _("Honoré")
        NO_SHOW = "no_show", _("Absent")
        CANCELLED = "cancelled", _("Annulé")
        EXPIRED = "expired", _("Créneau relâché")

    # Statuses that occupy the agent's time (the exclusion constraint's scope).
    ACTIVE = (Status.HELD, Status.BOOKED, Status.SEEN, Status.NO_SHOW)

    type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT, related_name="+")
    agent_id = models.BigIntegerField(_("agent"))
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(_("modalité"), max_length=10, choices=Mode.choices)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    # End of the time the agent is busy: ends_at plus the type's buffer.
    blocked_until = models.DateTimeField()
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.HELD
    )
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    # The hold's identifier, in the booking page's URL (/rendez-vous/reservation/<token>/).
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    # The secret signed into the links of messages (manage, cancel, move, documents,
    # survey): never shown elsewhere, and replaced when a link acts (cancel, move, book
    # anew), which kills every earlier link (single use; rendezvous/links.py).
    link_secret = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    # The calendar event's UID: random, unrelated to any secret (RFC 5545 3.8.4.7).
    calendar_uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    citizen_id = models.BigIntegerField(null=True, blank=True)
    first_name = models.CharField(_("prénom"), max_length=100, blank=True)
    last_name = models.CharField(_("nom"), max_length=100, blank=True)
    email = models.EmailField(_("courriel"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    # Issue 28: the citizen declined SMS at booking (reminders then go by e-mail only).
    sms_opt_out = models.BooleanField(_("refuse les SMS"), default=False)
    note = models.TextField(_("précisions"), blank=True)
    visio_url = models.URLField(_("lien de visio"), blank=True, max_length=300)
    booked_by_agent_id = models.BigIntegerField(null=True, blank=True)
    cancel_reason = models.TextField(_("motif d'annulation"), blank=True)
    cancelled_by = models.CharField(max_length=10, blank=True)  # "citizen" | "agent"
    recap = models.TextField(_("compte rendu"), blank=True)
    # The booking this one moved (rebooking): at most one move per booking, by the database.
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("remplace"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaced_by",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("rendez-vous")
        verbose_name_plural = _("rendez-vous")
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["agent_id", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at"), blocked_until__gte=F("ends_at")),
                name="appointment_times_ordered",
            ),
            # Never two appointments (or holds) for one agent at the same time, buffer
            # included. No btree_gist in pgserver: the agent equality is a range too.
            ExclusionConstraint(
                name="appointment_no_overlap",
                index_type="gist",
                expressions=[
                    (
                        Func(F("agent_id"), F("agent_id"), Value("[]"), function="int8range"),
                        RangeOperators.EQUAL,
                    ),
                    (
                        Func(F("starts_at"), F("blocked_until"), Value("[)"), function="tstzrange"),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=Q(status__in=["held", "booked", "seen", "no_show"]),
                violation_error_message=_("Ce créneau vient d'être réservé par quelqu'un d'autre."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} — {self.starts_at:%d/%m/%Y %H:%M}"

    @property
    def citizen_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_in_person(self) -> bool:
        """Only a face-to-face appointment has a place to come to (visio and phone do not)."""
        return self.mode == Mode.IN_PERSON

    @property
    def documents_heading(self) -> str:
        return (
            "Documents à apporter"
            if self.is_in_person
            else "Documents à préparer (vous pouvez les déposer sur la page de votre rendez-vous)"
        )


class MessageKind(models.TextChoices):
    """The e-mails of an appointment; each is an owed message (portal/owed) whose kind is
    ``OWED_KIND[kind]``, issued once (issue 27: SentMessage, its own "sent once" table, was
    folded into portal.owed; migration 0008 turned its rows into issued owed rows)."""

    CONFIRMATION = "confirmation", _("Confirmation")
    REMINDER = "reminder", _("Rappel")
    CANCELLATION = "cancellation", _("Annulation")
    FOLLOWUP = "followup", _("Compte rendu et enquête")


# Messages owed to the citizen (portal/owed): recorded with the booking, the cancellation,
# or by the reminder and follow-up jobs.
OWED_CONFIRMATION = "rendezvous.confirmation"
OWED_CANCELLATION = "rendezvous.cancellation"
OWED_REMINDER = "rendezvous.reminder"
OWED_FOLLOWUP = "rendezvous.followup"
OWED_KIND = {
    MessageKind.CONFIRMATION: OWED_CONFIRMATION,
    MessageKind.CANCELLATION: OWED_CANCELLATION,
    MessageKind.REMINDER: OWED_REMINDER,
    MessageKind.FOLLOWUP: OWED_FOLLOWUP,
}


class SurveyResponse(models.Model):
    appointment = models.OneToOneField(Appointment, on_delete=models.CASCADE, related_name="survey")
    score = models.PositiveSmallIntegerField(
        _("note"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("commentaire"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="survey_score_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.score}/5"


def document_path(instance, filename: str) -> str:
    return f"rendezvous/{instance.appointment_id}/{secrets.token_hex(8)}-{filename}"


class AppointmentDocument(models.Model):
    class Author(models.TextChoices):
        CITIZEN = "citizen", _("Usager")
        AGENT = "agent", _("Agent")

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="documents")
    author = models.CharField(max_length=10, choices=Author.choices)
    file = models.FileField(upload_to=document_path)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name
