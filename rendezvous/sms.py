"""SMS to the citizen about an appointment (issue 28): confirmation (or move), reminder and
cancellation, each an owed message (portal/owed) sent by portal/sms.

Every SMS names the commune and carries the short link to manage the appointment; the
texts are written to fit one SMS (160 GSM-7 characters) for usual names and places
(tests/rendezvous/test_sms.py checks each template)."""

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from portal.owed.services import owed_batch_issuer, owed_issuing, owed_record
from portal.sms.models import TextMessage
from portal.sms.phones import InvalidPhone, phone_is_mobile, phone_normalise
from portal.sms.providers import sms_provider
from portal.sms.services import (
    CAP_NOTICE,
    Draft,
    text_deliver,
    texts_issue,
    texts_sweep,
)
from rendezvous import links
from rendezvous.models import Appointment, Mode

CONFIRMATION = "confirmation"
REMINDER = "reminder"
CANCELLATION = "cancellation"
KIND_PREFIX = "rendezvous.sms."
# The owed row's kind and the task issuing it, per message.
OWED = {kind: KIND_PREFIX + kind for kind in (CONFIRMATION, REMINDER, CANCELLATION)}
TASKS = {kind: f"rendezvous.sms_{kind}" for kind in OWED}
DELIVER_TASK = "rendezvous.sms_deliver"

TEMPLATES = {
    CONFIRMATION: "{commune} : RDV confirmé le {date} à {time}, {where}. Gérer : {link}",
    "moved": "{commune} : RDV déplacé au {date} à {time}, {where}. Gérer : {link}",
    REMINDER: "{commune} : rappel, RDV le {date} à {time}, {where}. Gérer : {link}",
    CANCELLATION: "{commune} : votre RDV du {date} à {time} est annulé. Reprendre RDV : {link}",
}
WHERE = {Mode.VISIO: "en visio", Mode.PHONE: "par téléphone"}


def sms_number(appointment: Appointment) -> str:
    """The E.164 mobile number the appointment's SMS go to, or "" (none, landline, declined)."""
    if appointment.sms_opt_out or not appointment.phone or not phone_is_mobile(appointment.phone):
        return ""
    try:
        return phone_normalise(appointment.phone)
    except InvalidPhone:
        return ""


def sms_owe(*, appointment: Appointment, kind: str, due_at: datetime | None = None) -> None:
    """In the change's transaction: the SMS ``kind`` is owed, if the citizen gave a mobile
    number, did not decline, and the platform has a provider (otherwise e-mail only)."""
    if sms_provider() is None or not sms_number(appointment):
        return
    owed_record(kind=OWED[kind], subject_ids=[appointment.pk], task=TASKS[kind], due_at=due_at)


def sms_reminders_owe(*, appointment_ids: list[int]) -> int:
    """The reminders due now are owed by SMS to those who gave a mobile number (recorded
    again each tick: the owed row's uniqueness keeps the first)."""
    if sms_provider() is None or not appointment_ids:
        return 0
    ids = [
        appointment.pk
        for appointment in Appointment.objects.filter(pk__in=appointment_ids)
        .exclude(phone="")
        .only("pk", "phone", "sms_opt_out")
        if sms_number(appointment)
    ]
    with transaction.atomic():
        owed_record(kind=OWED[REMINDER], subject_ids=ids, task=TASKS[REMINDER])
    return len(ids)


def short_url(*, appointment: Appointment, site: str = "") -> str:
    """The SMS's link: the appointment's ``link_secret`` (random, rotated by every action
    like the signed links'), leading to the signed manage page (rendezvous/views_sms.py).
    ``site``: the commune's address, when read once for a batch."""
    path = reverse("rendezvous:sms_link", args=[appointment.link_secret])
    return site + path if site else links.absolute(path)


def sms_text(*, appointment: Appointment, kind: str, site: str = "") -> str:
    local = timezone.localtime(appointment.starts_at)
    template = kind
    if kind == CONFIRMATION and appointment.replaces_id is not None:
        template = "moved"
    where = WHERE.get(appointment.mode) or appointment.place.name
    return TEMPLATES[template].format(
        commune=connection.tenant.name,
        date=f"{local:%d/%m}",
        time=f"{local:%H:%M}".replace(":", "h"),
        where=where,
        link=short_url(appointment=appointment, site=site),
    )


def _reason_not_to_send(appointment: Appointment | None, kind: str, now: datetime) -> str:
    if appointment is None:
        return "rendez-vous supprimé"
    if kind in (CONFIRMATION, REMINDER):
        if appointment.status != Appointment.Status.BOOKED:
            return "rendez-vous annulé ou déplacé entre-temps"
        if appointment.starts_at <= now:
            return "rendez-vous déjà commencé"
    return ""


def _appointment(pk: int) -> Appointment | None:
    return Appointment.objects.select_related("type", "place").filter(pk=pk).first()


def _draft(appointment: Appointment | None, kind: str, now: datetime, site: str) -> Draft | str:
    """The SMS ``kind`` for this appointment now, or a French reason not to send it."""
    reason = _reason_not_to_send(appointment, kind, now)
    if reason:
        return reason
    number = sms_number(appointment)
    if not number:
        return "pas de numéro de mobile"
    return Draft(
        phone=number,
        body=sms_text(appointment=appointment, kind=kind, site=site),
        user_id=appointment.citizen_id,
    )


def sms_issue_batch(
    *, appointment_ids: list[int], kind: str, now: datetime | None = None
) -> list[TextMessage]:
    """Issue the owed SMS ``kind`` of these appointments at once (a tick's reminders): read
    in one query, decided and claimed in one transaction, sent side by side; each once
    (see portal/sms/services). Those a provider error put back are queued for their retry.
    Returns the SMS written now, in the order given."""
    now = now or timezone.now()

    def drafts(ids: list[int]) -> dict[int, Draft | str]:
        found = Appointment.objects.select_related("type", "place").in_bulk(ids)
        site = links.absolute("")  # the commune's address: one query for the batch
        return {pk: _draft(found.get(pk), kind, now, site) for pk in ids}

    texts = texts_issue(kind=OWED[kind], subject_ids=appointment_ids, drafts=drafts, now=now)
    for text in texts:
        if text.status == TextMessage.Status.QUEUED:
            _retry_later(text)
    return texts


def sms_issue(*, appointment_id: int, kind: str, now: datetime | None = None) -> TextMessage | None:
    """Issue the owed SMS once and hand it to the provider; None when issued already or put
    off to the morning (a batch of one: ``sms_issue_batch``)."""
    texts = sms_issue_batch(appointment_ids=[appointment_id], kind=kind, now=now)
    return texts[0] if texts else None


def _batch_issuer(kind: str):
    def issue(appointment_ids: list[int]) -> list[TextMessage]:
        return sms_issue_batch(appointment_ids=appointment_ids, kind=kind)

    return issue


# The worker issues the subjects of an owed batch (portal/owed: a tick's reminders of a
# commune) together, through ``sms_issue_batch``; the sweep still queues them one by one.
for _kind, _task in TASKS.items():
    owed_batch_issuer(_task, _batch_issuer(_kind))


def sms_deliver(*, text_id: int, now: datetime | None = None) -> TextMessage | None:
    """Send a queued SMS unless its appointment was cancelled or moved meanwhile; after a
    provider error, the retry is queued with its backoff."""
    now = now or timezone.now()

    def still_wanted(text: TextMessage) -> str:
        kind = text.kind.removeprefix(KIND_PREFIX)
        return _reason_not_to_send(_appointment(text.subject_id), kind, now)

    text = text_deliver(text_id=text_id, still_wanted=still_wanted, now=now)
    if text is not None and text.status == TextMessage.Status.QUEUED:
        _retry_later(text)
    return text


# A retry due later than this is left to the sweep (the rendezvous.sms job, every 5
# minutes): a countdown of hours (an SMS waiting for its recipient's morning) would sit in
# a worker's memory and, past Redis' visibility timeout (1 h), be delivered again.
RETRY_QUEUED_WITHIN = timedelta(hours=1)


def _retry_later(text: TextMessage) -> None:
    from rendezvous.tasks import sms_deliver_task

    delay = max((text.next_attempt_at - timezone.now()).total_seconds(), 0)
    if delay > RETRY_QUEUED_WITHIN.total_seconds():
        return
    try:
        sms_deliver_task.apply_async(args=[text.pk], countdown=delay)
    except Exception:  # noqa: BLE001 — broker out of reach: the sweep job retries it
        pass


def sms_sweep(*, now: datetime | None = None) -> dict:
    """Periodic: SMS due again (after an error or the quiet hours) are sent; claims of dead
    workers are settled as unknown (never sent twice)."""
    now = now or timezone.now()
    # No early return in the commune's night: an overseas recipient's morning may be now;
    # each SMS is held to its own recipient's quiet hours by ``text_deliver``.
    due, lost = texts_sweep(kind_prefix=KIND_PREFIX, now=now)
    sent = 0
    for pk in due:
        text = sms_deliver(text_id=pk, now=now)
        sent += text is not None and text.status == TextMessage.Status.SENT
    return {"sent": sent, "lost": lost}


def sms_for(*, appointment_id: int) -> list[TextMessage]:
    """The SMS of an appointment, for its agent page (whether and how the citizen was texted)."""
    return list(
        TextMessage.objects.filter(
            subject_id=appointment_id, kind__startswith=KIND_PREFIX
        ).order_by("created_at", "pk")
    )


def sms_cap_notice(*, month_key: int) -> bool:
    """Tell the commune's admins, once for the month (``month_key`` 202612), that its SMS cap
    was reached: the reminders now go by e-mail only."""
    from django.core.mail import EmailMessage

    from tenants.models import Membership

    with owed_issuing(kind=CAP_NOTICE, subject_id=month_key) as owed:
        if not owed:
            return False
        admins = list(
            Membership.objects.filter(
                collectivite=connection.tenant, role=Membership.Role.ADMIN, is_active=True
            ).values_list("user__email", flat=True)
        )
        if not admins:
            return False
        month = f"{month_key % 100:02d}/{month_key // 100}"
        EmailMessage(
            subject=f"[{connection.tenant.name}] Plafond de SMS atteint ({month})",
            body=(
                f"Le plafond mensuel de SMS de {connection.tenant.name} est atteint pour "
                f"{month}. Jusqu'à la fin du mois, les confirmations et rappels de "
                "rendez-vous partent par courriel seulement.\n\n"
                f"Pour le relever : {links.absolute(reverse('sms_admin:commune'))}"
            ),
            to=admins,
        ).send()
    return True
