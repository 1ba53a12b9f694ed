"""Identity (public schema): where each signed-in session is, and which upstream identity
(FranceConnect, ProConnect) is linked to which account."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class SessionRecord(models.Model):
    """One signed-in browser session on one host, so that a person can see their sessions
    and end them all at once (every host's sessions live in the one session table)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_records"
    )
    session_key = models.CharField(max_length=40, unique=True)
    host = models.CharField(_("site"), max_length=255)
    user_agent = models.CharField(_("navigateur"), max_length=300, blank=True)
    method = models.CharField(_("moyen de connexion"), max_length=30, blank=True)
    created_at = models.DateTimeField(_("ouverte le"), auto_now_add=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} — {self.host}"

    @property
    def method_label(self) -> str:
        from identity.labels import method_in_words

        return method_in_words(self.method)

    @property
    def browser_label(self) -> str:
        from identity.labels import browser_in_words

        return browser_in_words(self.user_agent)


class ExternalIdentity(models.Model):
    """An identity at an upstream provider, linked to an account once its owner agreed."""

    class Provider(models.TextChoices):
        FRANCECONNECT = "franceconnect", "FranceConnect"
        PROCONNECT = "proconnect", "ProConnect"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities"
    )
    provider = models.CharField(max_length=20, choices=Provider.choices)
    subject = models.CharField(max_length=255)
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("identité externe")
        verbose_name_plural = _("identités externes")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subject"], name="external_identity_provider_subject_unique"
            ),
            models.UniqueConstraint(
                fields=["provider", "user"], name="external_identity_provider_user_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_provider_display()}"


class PersonalDataExport(models.Model):
    """A person's copy of everything the portal holds about them (GDPR art. 15), gathered
    by the worker commune by commune."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_data_exports"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    content = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("export de données personnelles")
        verbose_name_plural = _("exports de données personnelles")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.user} — {self.requested_at:%Y-%m-%d %H:%M}"
