"""Recording an issued act (see portal/sealed/__init__)."""

import hashlib

from django.db import connection
from django.utils import timezone

from portal.sealed.models import SealedDocument


def sealed_record(*, content: bytes, kind: str, label: str, reference: str) -> SealedDocument:
    """Record an act as issued in the active schema, in the caller's transaction (the one
    that stores the act), so that an act is stored and findable together or not at all.
    Idempotent: the same bytes recorded twice keep their first row."""
    document, _ = SealedDocument.objects.get_or_create(
        sha256=hashlib.sha256(bytes(content)).hexdigest(),
        defaults={
            "schema_name": connection.schema_name,
            "kind": kind,
            "label": label[:200],
            "reference": reference[:60],
            "issued_at": timezone.now(),
        },
    )
    return document
