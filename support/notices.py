"""The e-mails of the support desk: who receives each kind, and the one send of each owed
notice (portal.owed: rendered first, then sent inside ``owed_issuing``, so two workers or a
task delivered twice never both send it)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from portal.accounts.models import User
from portal.owed.services import owed_issuing
from support.models import DeskMember, SupportMessage, SupportNotice

SUBJECTS = {
    SupportNotice.Kind.FILED: "[{ref}] Nouvelle demande de {member} : {subject}",
    SupportNotice.Kind.REPLY: "[{ref}] Nouveau message : {subject}",
    SupportNotice.Kind.ETA: "[{ref}] Délai probable de rétablissement : {subject}",
    SupportNotice.Kind.DUE_SOON: "[{ref}] Échéance dans moins d'une heure : {subject}",
    SupportNotice.Kind.CLOSED_IDLE: "[{ref}] Demande close faute de réponse : {subject}",
}


def desk_emails() -> list[str]:
    """The desk's alert addresses: its members who receive alerts, else platform admins."""
    emails = list(
        DeskMember.objects.filter(receives_alerts=True, user__is_active=True).values_list(
            "user__email", flat=True
        )
    )
    if not emails:
        emails = list(
            User.objects.filter(is_platform_admin=True, is_active=True).values_list(
                "email", flat=True
            )
        )
    return emails


def _recipients(notice: SupportNotice, message: SupportMessage | None) -> list[str]:
    request = notice.request
    member = [request.filed_by.email] if request.filed_by.is_active else []
    if notice.kind == SupportNotice.Kind.FILED:
        return desk_emails()
    if notice.kind == SupportNotice.Kind.REPLY:
        if message is not None and not message.from_desk:
            return [request.assignee.email] if request.assignee else desk_emails()
        return member
    if notice.kind == SupportNotice.Kind.DUE_SOON:
        return [request.assignee.email] if request.assignee else desk_emails()
    return member


def _email(notice: SupportNotice) -> EmailMessage | None:
    """The notice's e-mail, or None when nobody is to receive it."""
    request = notice.request
    message = None
    if notice.kind == SupportNotice.Kind.REPLY and notice.key:
        message = SupportMessage.objects.filter(pk=notice.key, request=request).first()
    to = _recipients(notice, message)
    if not to:
        return None
    subject = SUBJECTS[notice.kind].format(
        ref=request.reference, member=request.collectivite.name, subject=request.subject
    )
    body = render_to_string(
        f"support/email/{notice.kind}.txt",
        {
            "request": request,
            "message": message,
            "idle_days": getattr(settings, "SUPPORT_IDLE_CLOSE_DAYS", 15),
        },
    )
    return EmailMessage(subject=subject, body=body, to=to)


def notice_send(*, notice_id: int) -> bool:
    """Send one owed notice unless it was sent (portal.owed); True if sent now. A notice
    whose request was deleted since has nothing left to say: its owed row is closed."""
    notice = (
        SupportNotice.objects.select_related(
            "request__collectivite", "request__filed_by", "request__assignee"
        )
        .filter(pk=notice_id)
        .first()
    )
    email = _email(notice) if notice is not None else None
    with owed_issuing(kind=SupportNotice.OWED_KIND, subject_id=notice_id) as owed:
        if owed and email is not None:
            email.send()
    return owed and notice is not None
