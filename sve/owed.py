"""The SVE documents owed to citizens (portal/owed): their kinds, tasks and page labels."""

from portal.owed.selectors import owed_pending_among
from sve.models import Document, PieceRequest, Request

# Document kind -> owed kind; each is issued by the Celery task of the same name below.
OWED_KIND = {
    Document.Kind.AEE: "sve.aee",  # CRPA L112-11: accusé d'enregistrement électronique
    Document.Kind.AR: "sve.ar",  # CRPA L112-3: accusé de réception
    Document.Kind.DECISION: "sve.decision",
    # CRPA L232-3: the attestation of implicit acceptance, prepared by the worker when the
    # acceptance arises (the implicit-decision job owes it) so that it is ready when asked for.
    Document.Kind.ATTESTATION: "sve.attestation",
}
ATTESTATION = OWED_KIND[Document.Kind.ATTESTATION]
IMPLICIT_NOTICE = "sve.implicit_notice"  # CRPA L232-3 / L232-4: implicit decision notice
# CRPA L114-5: the letter asking for missing pieces; owed once per request for pieces (its
# subject is the PieceRequest, not the request: a request may be asked for pieces twice).
PIECES = "sve.pieces"
TASK = {
    "sve.aee": "sve.aee_issue",
    "sve.ar": "sve.ar_issue",
    "sve.decision": "sve.decision_issue",
    IMPLICIT_NOTICE: "sve.implicit_notice_issue",
    PIECES: "sve.pieces_letter_issue",
    ATTESTATION: "sve.attestation_issue",
}
LABEL = {
    "sve.aee": "Accusé d'enregistrement électronique",
    "sve.ar": "Accusé de réception",
    "sve.decision": "Décision",
    IMPLICIT_NOTICE: "Avis de décision implicite",
    PIECES: "Demande de pièces complémentaires",
    ATTESTATION: "Attestation d'acceptation implicite",
}
# The kinds owed once per request (their subject is the request).
REQUEST_KINDS = tuple(kind for kind in LABEL if kind != PIECES)


def owed_labels(kinds: list[str]) -> list[str]:
    return [LABEL[kind] for kind in kinds]


def request_owed_labels(request: Request) -> list[str]:
    """What a request's pages show as "en cours d'envoi": its own documents and the letters
    of its requests for pieces still owed (one query)."""
    pieces = PieceRequest.objects.filter(request_id=request.pk).values("pk")
    subjects = {kind: [request.pk] for kind in REQUEST_KINDS} | {PIECES: pieces}
    return owed_labels(owed_pending_among(subjects=subjects))
