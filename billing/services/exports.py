"""The PES Recette file of a batch of titres (a campaign's, or a correction's): bordereau
numbers given once per batch, then the file (billing.pes)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum

from billing.models import Issuer, PesBordereau, Titre
from billing.pes import (
    BordereauNumber,
    bordereau_groups,
    export_problems,
    pes_filename,
    pes_recette,
)
from billing.services.titres import issuer_snapshot
from portal.audit.trail import Actor, audit_action, audit_record

PES_NUMBERED = audit_action("billing.pes_numbered", "Bordereau PES numéroté")


def pes_bordereaux_number(
    *, acting_user: Actor, year: int, batch: str, totals: dict[str, int], first: int
) -> dict[str, BordereauNumber]:
    """The bordereau number of each TypBord of ``batch``: the one it already has, else the
    next of the year and type (from ``first``, the portal's first number). Numbers are given
    under the issuer row's lock, so two exports never take the same one."""
    numbers = {}
    with transaction.atomic():
        Issuer.objects.select_for_update().order_by("pk").first()
        for typ_bord, total in totals.items():
            row = PesBordereau.objects.filter(batch=batch, typ_bord=typ_bord).first()
            if row is None:
                last = PesBordereau.objects.filter(year=year, typ_bord=typ_bord).aggregate(
                    last=Max("number")
                )["last"]
                row = PesBordereau.objects.create(
                    year=year,
                    typ_bord=typ_bord,
                    batch=batch,
                    number=max(last or 0, first - 1) + 1,
                    total_ht_cents=total,
                )
                audit_record(
                    acting_user=acting_user,
                    action=PES_NUMBERED,
                    target=row,
                    summary=f"Bordereau {typ_bord} n° {row.number} de {year} ({batch})",
                    collectivite_id=None,
                )
            cumul = PesBordereau.objects.filter(
                year=year, typ_bord=typ_bord, number__lte=row.number
            ).aggregate(total=Sum("total_ht_cents"))["total"]
            numbers[typ_bord] = BordereauNumber(number=row.number, cumul_ht_cents=cumul)
    return numbers


def pes_batch_numbers(*, acting_user: Actor, titres: list[Titre], batch: str, issuer: dict):
    """The bordereau numbers of a batch of titres (given on first use, then kept)."""
    totals = {
        typ_bord: sum(t.total_ht_cents for t in group)
        for typ_bord, group in bordereau_groups(titres).items()
    }
    return pes_bordereaux_number(
        acting_user=acting_user,
        year=titres[0].year,
        batch=batch,
        totals=totals,
        first=issuer["first_bordereau_number"],
    )


def pes_export(
    *, acting_user: Actor, titres: list[Titre], batch: str, today: date
) -> tuple[bytes, str]:
    """(content, filename) of the PES file of ``titres``; ValidationError (French) when the
    issuer is incomplete or a member has no postal address (nothing numbered then)."""
    issuer = issuer_snapshot()
    problems = export_problems(titres)
    if problems:
        raise ValidationError(problems)
    numbers = pes_batch_numbers(acting_user=acting_user, titres=titres, batch=batch, issuer=issuer)
    content = pes_recette(titres=titres, issuer=issuer, batch=batch, today=today, numbers=numbers)
    return content, pes_filename(issuer=issuer, year=titres[0].year, batch=batch, today=today)
