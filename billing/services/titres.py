"""Titres de recette: numbering, issue, delivery (PDF then e-mail). Contest and correction
are in billing.services.corrections.

Lock order (never reversed): a titre row being corrected, then the year's sequence row,
then the history stream's head. Nothing is rendered or mailed while a lock is held: the PDF
is rendered by the worker after the issuing transaction and stored once; the e-mail is
claimed in a short transaction and sent after its commit (at most once).
"""

import hashlib
import json
from collections import defaultdict
from datetime import date

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from billing.liquidation import MemberBill
from billing.models import (
    BillingDocument,
    BillingProfile,
    Issuer,
    Titre,
    TitreLine,
    TitreSequence,
)
from billing.selectors import issuer_problems
from billing.terms import contest_last_day, payment_due_on
from portal.audit.history import history_append
from portal.money import euros, vat_split
from portal.pdf import PdfAttachment, pdf_issue
from portal.sealed.selectors import verify_url
from portal.sealed.services import sealed_record
from tenants.models import Membership

HISTORY_STREAM = "billing"


def issuer_snapshot() -> dict:
    issuer = Issuer.objects.order_by("pk").first()
    problems = issuer_problems(issuer)
    if problems:
        raise ValidationError(problems)
    fields = [f.name for f in Issuer._meta.fields if f.name != "id"]
    return {name: getattr(issuer, name) for name in fields} | {"signatory": issuer.signatory}


def debtor_snapshot(collectivite, profile: BillingProfile | None) -> dict:
    return {
        "id": collectivite.pk,
        "name": collectivite.name,
        "kind": collectivite.kind,
        "insee_code": collectivite.insee_code,
        "siren": collectivite.siren,
        "siret": (profile.siret if profile else "") or "",
        "service_code": (profile.service_code if profile else "") or "",
        "engagement_number": (profile.engagement_number if profile else "") or "",
        "address": (profile.address if profile and profile.address else "")
        or collectivite.contact_address,
        "email": (profile.email if profile else "") or "",
    }


def _sequence_start(year: int, issuer: dict) -> None:
    """The year's sequence row, created so that its first titre takes the first number the
    accountant gave the portal's series (finance settings), so the piece numbers in the PES
    file never collide with the series another software uses on the same budget."""
    first = issuer.get("first_piece_number") or 1
    TitreSequence.objects.bulk_create(
        [TitreSequence(year=year, last_number=first - 1)], ignore_conflicts=True
    )


def _next_number(year: int, issuer: dict) -> int:
    """The next number of the year's continuous series. The sequence row stays locked until
    the issuing transaction ends: a failed issue rolls the number back (no gap)."""
    _sequence_start(year, issuer)
    sequence = TitreSequence.objects.select_for_update().get(pk=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


def titre_lines(bill: MemberBill) -> list[TitreLine]:
    """Unsaved lines of a member's liquidation, with HT, VAT and TTC per line."""
    lines = []
    for position, line in enumerate(bill.lines, start=1):
        ht, vat, ttc = vat_split(
            line.amount_cents, rate_bp=line.vat_rate_bp, includes_vat=line.includes_vat
        )
        lines.append(
            TitreLine(
                position=position,
                label=line.label,
                basis=line.basis,
                application=line.application,
                quantity=line.quantity,
                unit_cents=line.unit_cents,
                amount_ht_cents=ht,
                vat_rate_bp=line.vat_rate_bp,
                vat_cents=vat,
                amount_ttc_cents=ttc,
            )
        )
    return lines


def titre_create(
    *,
    convention,
    lines: list[TitreLine],
    year: int,
    kind: str,
    issuer: dict,
    acting_user,
    today: date,
    campaign=None,
    corrects: Titre | None = None,
    replaces: Titre | None = None,
    object_: str = "",
    document: str = BillingDocument.TITRE,
) -> Titre:
    """Number and write one titre with its lines and history entry, inside the caller's
    transaction (the sequence row stays locked until it ends)."""
    model = convention.model
    number = _next_number(year, issuer)
    breakdown = defaultdict(lambda: [0, 0])
    for line in lines:
        breakdown[line.vat_rate_bp][0] += line.amount_ht_cents
        breakdown[line.vat_rate_bp][1] += line.vat_cents
    profile = BillingProfile.objects.filter(collectivite=convention.collectivite).first()
    titre = Titre.objects.create(
        year=year,
        number=number,
        kind=kind,
        campaign=campaign,
        convention=convention,
        collectivite=convention.collectivite,
        corrects=corrects,
        replaces=replaces,
        document=document,
        object=object_ or f"Participation {year} — {model.name}",
        legal_basis=(
            f"Convention {convention.reference} « {model.name} »"
            + (f" (modèle {model.seed})" if model.seed else "")
            + f", tarifs {year}"
        ),
        issued_on=today,
        issued_by=acting_user,
        issuer=issuer,
        debtor=debtor_snapshot(convention.collectivite, profile),
        total_ht_cents=sum(line.amount_ht_cents for line in lines),
        total_vat_cents=sum(line.vat_cents for line in lines),
        total_ttc_cents=sum(line.amount_ttc_cents for line in lines),
        vat_breakdown=[[rate, ht, vat] for rate, (ht, vat) in sorted(breakdown.items())],
    )
    for line in lines:
        line.titre = titre
    TitreLine.objects.bulk_create(lines)
    history_append(
        stream=HISTORY_STREAM,
        subject=titre,
        action=f"{kind}_issued",
        actor=acting_user,
        actor_label="" if acting_user else "campagne",
        payload={
            "reference": titre.reference,
            "document": document,
            "collectivite": convention.collectivite.name,
            "convention": convention.reference,
            "total_ttc_cents": titre.total_ttc_cents,
            "lines": [[line.label, line.basis, line.amount_ttc_cents] for line in lines],
            "corrects": corrects.reference if corrects else None,
            "replaces": replaces.reference if replaces else None,
        },
    )
    return titre


def titre_issue(
    *, bill: MemberBill, year: int, issuer: dict, acting_user=None, campaign=None, today: date
) -> Titre | None:
    """One member's titre for ``year`` under its convention, all or nothing; None when that
    member already has its titre for the year and agreement (re-running issues nothing)."""
    if bill.errors or not bill.lines:
        raise ValidationError("; ".join(bill.errors) or "Aucune ligne à facturer pour ce membre.")
    with transaction.atomic():
        # Checked under the sequence lock (taken again by _next_number in this transaction):
        # issuers of one year are serialised from here, so the check cannot race.
        _sequence_start(year, issuer)
        TitreSequence.objects.select_for_update().get(pk=year)
        exists = Titre.objects.filter(
            convention=bill.convention, year=year, kind=Titre.Kind.TITRE, replaces__isnull=True
        ).exists()
        if exists:
            return None
        return titre_create(
            convention=bill.convention,
            lines=titre_lines(bill),
            year=year,
            kind=Titre.Kind.TITRE,
            issuer=issuer,
            acting_user=acting_user,
            today=today,
            campaign=campaign,
            document=bill.document,
        )


def _pdf_context(titre: Titre) -> dict:
    corrects = titre.corrects
    return {
        "titre": titre,
        "lines": list(titre.lines.all()),
        "issuer": titre.issuer,
        "debtor": titre.debtor,
        "corrects": corrects,
        "vat_breakdown": [
            {"rate_bp": rate, "base": ht, "vat": vat} for rate, ht, vat in titre.vat_breakdown
        ],
        "euros": euros,
        "verify_url": verify_url(),
    }


def _notification_dates(titre: Titre, today: date) -> list[str]:
    """Set the notification date and what follows from it (contest window, due date) on a
    titre not yet notified; the fields changed."""
    if titre.notified_on is not None:
        return []
    titre.notified_on = today
    if titre.kind == Titre.Kind.TITRE:
        titre.contest_until = contest_last_day(today, insee_code=titre.debtor.get("insee_code", ""))
        titre.due_on = payment_due_on(today)
    return ["notified_on", "contest_until", "due_on"]


def titre_liquidation_json(titre: Titre) -> bytes:
    """The titre's liquidation, machine-readable: embedded in its PDF (PDF/A-3 associated
    file), so that the accountant's pièce justificative carries its own figures."""
    data = {
        "reference": titre.reference,
        "label": titre.label,
        "year": titre.year,
        "issued_on": titre.issued_on.isoformat(),
        "issuer": {"name": titre.issuer.get("name"), "siret": titre.issuer.get("siret")},
        "debtor": {k: titre.debtor.get(k) for k in ("name", "siren", "siret", "insee_code")},
        "corrects": titre.corrects.reference if titre.corrects_id else None,
        "lines": [
            {
                "position": line.position,
                "label": line.label,
                "basis": line.basis,
                "application": line.application,
                "quantity": str(line.quantity),
                "unit_cents": line.unit_cents,
                "amount_ht_cents": line.amount_ht_cents,
                "vat_rate_bp": line.vat_rate_bp,
                "vat_cents": line.vat_cents,
                "amount_ttc_cents": line.amount_ttc_cents,
            }
            for line in titre.lines.order_by("position")
        ],
        "vat_breakdown": [
            {"rate_bp": rate, "base_cents": ht, "vat_cents": vat}
            for rate, ht, vat in titre.vat_breakdown
        ],
        "total_ht_cents": titre.total_ht_cents,
        "total_vat_cents": titre.total_vat_cents,
        "total_ttc_cents": titre.total_ttc_cents,
    }
    return json.dumps(data, ensure_ascii=False, indent=1).encode()


def titre_render(*, titre_id: int, today: date | None = None) -> bool:
    """Render, seal and store the titre's PDF once (outside any lock); False if already
    stored.

    The notification date is recorded first (the day the ampliation is dated and sent), so
    the PDF prints the due date that the e-mail states too (seed 002 art. 5: 30 days from
    the notification)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        titre = Titre.objects.select_for_update().get(pk=titre_id)
        if titre.pdf is not None:
            return False
        changed = _notification_dates(titre, today)
        if changed:
            titre.save(update_fields=changed)
    titre = Titre.objects.select_related("corrects", "replaces").get(pk=titre_id)
    pdf = pdf_issue(
        "billing/pdf/titre.html",
        _pdf_context(titre),
        reason=f"{titre.label} n° {titre.reference}",
        attachments=(
            PdfAttachment(
                name=f"titre-{titre.reference}-liquidation.json",
                content=titre_liquidation_json(titre),
                description=f"Liquidation du titre n° {titre.reference}",
            ),
        ),
    )
    with transaction.atomic():
        stored = Titre.objects.filter(pk=titre_id, pdf__isnull=True).update(
            pdf=pdf, pdf_sha256=hashlib.sha256(pdf).hexdigest()
        )
        if stored:
            sealed_record(
                content=pdf,
                kind=f"billing.{titre.kind}",
                label=titre.label,
                reference=titre.reference,
            )
    return bool(stored)


def _recipients(titre: Titre) -> list[str]:
    emails = list(
        Membership.objects.filter(
            collectivite_id=titre.collectivite_id,
            role=Membership.Role.ADMIN,
            is_active=True,
            user__is_active=True,
        )
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )
    if titre.debtor.get("email"):
        emails.insert(0, titre.debtor["email"])
    return list(dict.fromkeys(emails))


def titre_send(*, titre_id: int, today: date | None = None) -> bool:
    """Notify the titre to the member's admins (the ampliation is the notification) once:
    claims the owed e-mail and fixes the notification, contest and due dates in one short
    transaction, then sends after commit. False when not owed or the PDF is not ready."""
    today = today or timezone.localdate()
    with transaction.atomic():
        titre = Titre.objects.select_for_update().get(pk=titre_id)
        if not titre.mail_owed or titre.pdf is None:
            return False
        titre.mail_owed = False
        # The dates were recorded when the PDF was rendered (it prints them): kept as is.
        _notification_dates(titre, today)
        titre.save(update_fields=["mail_owed", "notified_on", "contest_until", "due_on"])
        history_append(
            stream=HISTORY_STREAM,
            subject=titre,
            action="titre_notified",
            actor_label="worker",
            payload={"reference": titre.reference, "notified_on": titre.notified_on.isoformat()},
        )
        recipients = _recipients(titre)
        context = {"titre": titre, "euros": euros}
        subject = f"{titre.label} n° {titre.reference} — {titre.issuer['name']}"
        body = render_to_string("billing/email/titre_notified.txt", context)
        pdf, filename = bytes(titre.pdf), titre.filename

        def send() -> None:
            if not recipients:
                return
            message = EmailMessage(subject=subject, body=body, to=recipients)
            message.attach(filename, pdf, "application/pdf")
            message.send()

        transaction.on_commit(send)
    return True


def titre_deliver(*, titre_id: int) -> None:
    """The worker's part after issuing: the PDF, then the notification e-mail."""
    titre_render(titre_id=titre_id)
    titre_send(titre_id=titre_id)
