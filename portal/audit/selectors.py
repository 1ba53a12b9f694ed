"""Reads of the audit trail: the journal pages' filtered list (newest first)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from portal.audit.models import HistoryEntry
from portal.audit.trail import ACTION_LABELS, action_label


@dataclass(frozen=True)
class TrailFilters:
    person: str = ""
    target: str = ""
    action: str = ""
    start: date | None = None
    end: date | None = None

    @classmethod
    def from_query(cls, query) -> "TrailFilters":
        def text(name: str) -> str:
            return query.get(name, "").replace("\x00", "").strip()[:200]

        def day(name: str) -> date | None:
            try:
                return date.fromisoformat(text(name))
            except ValueError:
                return None

        action = text("action")
        return cls(
            person=text("personne"),
            target=text("objet"),
            action=action if action in ACTION_LABELS else "",
            start=day("du"),
            end=day("au"),
        )

    def as_query(self) -> dict[str, str]:
        values = {
            "personne": self.person,
            "objet": self.target,
            "action": self.action,
            "du": self.start.isoformat() if self.start else "",
            "au": self.end.isoformat() if self.end else "",
        }
        return {key: value for key, value in values.items() if value}


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def trail_entries(*, filters: TrailFilters, collectivite_id: int | None = None) -> QuerySet:
    """The entries matching ``filters``, newest first; one collectivité's only when
    ``collectivite_id`` is given (a commune admin's page)."""
    entries = HistoryEntry.objects.order_by("-created_at", "-id")
    if collectivite_id is not None:
        entries = entries.filter(collectivite_id=collectivite_id)
    if filters.person:
        entries = entries.filter(actor_label__icontains=filters.person)
    if filters.target:
        kind, _, pk = filters.target.rpartition(":")
        by_key = Q(subject_type=kind, subject_id=pk) if kind else Q(subject_id=pk)
        entries = entries.filter(by_key | Q(summary__icontains=filters.target))
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.start:
        entries = entries.filter(created_at__gte=_midnight(filters.start))
    if filters.end:
        entries = entries.filter(created_at__lt=_midnight(filters.end + timedelta(days=1)))
    return entries


def action_choices() -> list[tuple[str, str]]:
    return sorted(((code, action_label(code)) for code in ACTION_LABELS), key=lambda c: c[1])
