"""Verifying a file someone holds (see portal/sealed/__init__)."""

import hashlib
from dataclasses import dataclass

from portal.seal import pdf_seal_check
from portal.sealed.models import SealedDocument


@dataclass(frozen=True)
class Verification:
    # "issued": this host's act, unchanged; "elsewhere": an act of the portal, to be
    # verified on the host of the member that issued it; "altered": sealed by the portal but
    # changed since; "unknown": not an act of the portal (or not a PDF).
    outcome: str
    document: SealedDocument | None = None


def sealed_verify(*, content: bytes, schema_name: str) -> Verification:
    """What the portal can say about a file: only its holder learns which act it is (the
    exact bytes must match a recorded act's hash), and only on the issuing member's host."""
    digest = hashlib.sha256(content).hexdigest()
    document = SealedDocument.objects.filter(sha256=digest).first()
    check = pdf_seal_check(content)
    if document is not None and check.intact and check.trusted:
        if document.schema_name != schema_name:
            return Verification("elsewhere")
        return Verification("issued", document)
    if check.sealed and check.ours:
        return Verification("altered")  # the portal's seal, but not on these bytes
    return Verification("unknown")


def verify_url(*, site_url: str = "") -> str:
    """The verification page's address on ``site_url`` (a member's host; default: the
    operator's), printed on each act beside its reference."""
    from django.conf import settings
    from django.urls import reverse

    if not site_url:
        port = f":{settings.PORTAL_PORT}" if settings.PORTAL_PORT else ""
        site_url = f"{settings.PORTAL_SCHEME}://{settings.PORTAL_BASE_DOMAIN}{port}"
    return site_url.rstrip("/") + reverse("sealed:verify", urlconf="portal.urls_public")
