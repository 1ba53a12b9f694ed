"""The journal as agents read it: one French sentence per entry, "opened" entries folded.

The entries themselves (sve.journal, hash-chained) keep their codes and payloads; this
module only says them in words. An unknown action is shown by its code rather than hidden.
"""

import functools
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language

from sve.models import Document, JournalEntry, Regime

DOCUMENT_NAMES = dict(Document.Kind.choices)
REGIME_NAMES = dict(Regime.choices)
NOTICE_NAMES = {
    "pieces_requested": "la demande de pièces",
    "message": "un nouveau message",
    "closed": "le classement sans suite",
    "handled": "la demande traitée",
    "implicitly_accepted": "l'acceptation implicite",
    "implicitly_rejected": "le refus implicite",
}


@dataclass(frozen=True)
class JournalLine:
    seq: int  # the last entry's number, for folded lines
    created_at: datetime
    actor: str
    text: str


def _day(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return _day_words(value, get_language())


@functools.lru_cache(maxsize=1024)
def _day_words(value: date, language: str | None) -> str:
    # Kept per day and language: the implicit-decision job says ~10 days 10,000 times.
    return date_format(value, "j F Y")


def _document(kind) -> str:
    return str(DOCUMENT_NAMES.get(kind, kind)).lower()


def entry_text(entry: JournalEntry) -> str:
    p = entry.payload or {}
    action = entry.action
    texts = {
        "submitted": lambda: "Demande déposée.",
        "qualified": lambda: (
            f"Qualifiée « {str(REGIME_NAMES.get(p.get('regime'), p.get('regime'))).lower()} »"
            + (
                f", décision implicite le {_day(p.get('implicit_decision_on'))}."
                if p.get("implicit_decision_on")
                else "."
            )
        ),
        "pieces_requested": lambda: (
            f"Pièces demandées : {p.get('items', '')} (avant le {_day(p.get('due_on'))})."
        ),
        "pieces_received": lambda: (
            "Pièces reçues"
            + (f" : {', '.join(p['files'])}" if p.get("files") else "")
            + (
                f" ; décision implicite le {_day(p.get('implicit_decision_on'))}."
                if p.get("implicit_decision_on")
                else "."
            )
        ),
        "instruction_started": lambda: "Instruction commencée.",
        "accepted": lambda: "Demande acceptée.",
        "rejected": lambda: f"Demande refusée. Motifs : {p.get('reasons', '')}",
        "closed": lambda: (
            "Demande classée sans suite."
            + (f" Motifs : {p['reasons']}" if p.get("reasons") else "")
        ),
        "handled": lambda: (
            "Demande traitée." + (f" Réponse : {p['note']}" if p.get("note") else "")
        ),
        "implicitly_accepted": lambda: (
            f"Acceptation implicite (délai échu le {_day(p.get('decision_on'))})."
        ),
        "implicitly_rejected": lambda: (
            f"Refus implicite (délai échu le {_day(p.get('decision_on'))})."
        ),
        "assigned": lambda: (
            f"Attribuée à {p['assignee']}." if p.get("assignee") else "Attribution retirée."
        ),
        "message_posted": lambda: (
            "Message échangé avec l'usager"
            + (f" (pièces jointes : {', '.join(p['files'])})." if p.get("files") else ".")
        ),
        "note_added": lambda: "Note interne ajoutée.",
        "document_issued": lambda: f"Document émis : {_document(p.get('kind'))}.",
        "email_sent": lambda: f"Courriel envoyé à {p.get('to', '')} : {_document(p.get('kind'))}.",
        "citizen_notified": lambda: (
            f"Usager prévenu : {NOTICE_NAMES.get(p.get('event'), p.get('event'))}."
        ),
        "opened": lambda: "Dossier consulté.",
    }
    return texts[action]() if action in texts else f"{action}."


def journal_lines(entries) -> list[JournalLine]:
    """Readable lines; consecutive "opened" entries make one line that counts them (they all
    stay in the chain, this only shortens what is shown)."""
    lines: list[JournalLine] = []
    run: list[JournalEntry] = []

    def flush():
        if not run:
            return
        actors = sorted({e.actor_label for e in run if e.actor_label})
        if len(run) == 1:
            text = "Dossier consulté."
        else:
            first = timezone.localtime(run[0].created_at)
            text = (
                f"Dossier consulté {len(run)} fois depuis le {date_format(first, 'j F Y à H:i')}."
            )
        lines.append(JournalLine(run[-1].seq, run[-1].created_at, ", ".join(actors), text))
        run.clear()

    for entry in entries:
        if entry.action == "opened":
            run.append(entry)
            continue
        flush()
        lines.append(JournalLine(entry.seq, entry.created_at, entry.actor_label, entry_text(entry)))
    flush()
    return lines
