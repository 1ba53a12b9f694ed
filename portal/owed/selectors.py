"""Reads of owed documents: what a page shows as "en cours d'envoi"."""

from collections.abc import Iterable, Mapping

from django.db.models import Q

from portal.owed.models import OwedDocument


def owed_pending(*, subject_id: int, kinds: Iterable[str]) -> list[str]:
    """Kinds (among ``kinds``) owed for this subject and not issued yet."""
    return list(
        OwedDocument.objects.filter(
            subject_id=subject_id, kind__in=list(kinds), issued_at__isnull=True
        )
        .order_by("owed_at", "kind")
        .values_list("kind", flat=True)
    )


def owed_pending_among(*, subjects: Mapping[str, Iterable[int]]) -> list[str]:
    """Kinds owed and not issued yet, each looked up among its own subjects (a document
    owed once per request, another once per request for pieces...). One query: a queryset
    of ids given as subjects stays a subquery."""
    among = Q(pk__in=[])
    for kind, subject_ids in subjects.items():
        among |= Q(kind=kind, subject_id__in=subject_ids)
    return list(
        OwedDocument.objects.filter(among, issued_at__isnull=True)
        .order_by("owed_at", "kind")
        .values_list("kind", flat=True)
    )


def owed_missing_count(*, older_than=None) -> int:
    """How many documents are still owed (for operators and the concurrency bench)."""
    qs = OwedDocument.objects.filter(issued_at__isnull=True)
    if older_than is not None:
        qs = qs.filter(owed_at__lte=older_than)
    return qs.count()
