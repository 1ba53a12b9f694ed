"""The SVE documents owed to citizens (portal/owed): their kinds, tasks and page labels."""

from sve.models import Document

# Document kind -> owed kind; each is issued by the Celery task of the same name below.
OWED_KIND = {
    Document.Kind.AEE: "sve.aee",  # CRPA L112-11: accusé d'enregistrement électronique
    Document.Kind.AR: "sve.ar",  # CRPA L112-3: accusé de réception
    Document.Kind.DECISION: "sve.decision",
}
IMPLICIT_NOTICE = "sve.implicit_notice"  # CRPA L232-3 / L232-4: implicit decision notice
TASK = {
    "sve.aee": "sve.aee_issue",
    "sve.ar": "sve.ar_issue",
    "sve.decision": "sve.decision_issue",
    IMPLICIT_NOTICE: "sve.implicit_notice_issue",
}
LABEL = {
    "sve.aee": "Accusé d'enregistrement électronique",
    "sve.ar": "Accusé de réception",
    "sve.decision": "Décision",
    IMPLICIT_NOTICE: "Avis de décision implicite",
}


def owed_labels(kinds: list[str]) -> list[str]:
    return [LABEL[kind] for kind in kinds]
