"""Reads of conventions (billing reads ``conventions_billable``)."""

import csv
import io
from dataclasses import dataclass, replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q, QuerySet

from conventions import terms
from conventions.models import Amendment, Application, Convention, ConventionApplication
from portal.audit.history import history_for
from portal.exports import spreadsheet_cell

# States of a convention that was in force at some point (and may be billed for it).
BOUND_STATES = (
    Convention.State.ACTIVE,
    Convention.State.SUSPENDED,
    Convention.State.TERMINATED,
    Convention.State.EXPIRED,
)


def _covering(first: date, last: date) -> Q:
    return (
        Q(applies_from__isnull=False)
        & Q(applies_from__lte=last)
        & (Q(applies_to__isnull=True) | Q(applies_to__gte=first))
    )


def conventions_billable(*, year: int, model_ids: list[int] | None = None) -> list[Convention]:
    """The conventions in force during ``year`` (at least one day of it), with their
    collectivité and model, and ``applications_in_year``: the applications covered on at
    least one day of that year (catalogue order). Three queries, whatever the number."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    conventions = (
        Convention.objects.filter(state__in=BOUND_STATES, starts_on__isnull=False)
        .filter(starts_on__lte=last)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first))
        .select_related("collectivite", "model")
        .prefetch_related(
            Prefetch(
                "coverages",
                queryset=ConventionApplication.objects.filter(_covering(first, last))
                .select_related("application")
                .order_by("application__position", "application__code", "applies_from"),
                to_attr="coverages_in_year",
            )
        )
        .order_by("collectivite__name", "pk")
    )
    if model_ids is not None:
        conventions = conventions.filter(model_id__in=model_ids)
    result = list(conventions)
    for convention in result:
        seen: dict[int, Application] = {}
        for coverage in convention.coverages_in_year:
            seen.setdefault(coverage.application_id, coverage.application)
        convention.applications_in_year = list(seen.values())
    return result


def convention_applications_on(*, convention: Convention, day: date) -> list[Application]:
    """The applications a convention covers on ``day``."""
    return [
        c.application
        for c in convention.coverages.filter(_covering(day, day)).select_related("application")
    ]


def collectivite_services_on(*, collectivite_id: int, day: date) -> list[str]:
    """Codes of the applications covered on ``day`` by the member's conventions in force
    (a member uses what its agreements in force cover)."""
    return list(
        ConventionApplication.objects.filter(
            _covering(day, day),
            convention__collectivite_id=collectivite_id,
            convention__state__in=Convention.IN_FORCE,
        )
        .order_by("application__position", "application__code")
        .values_list("application__code", flat=True)
        .distinct()
    )


def conventions_list(
    *,
    state: str = "",
    model_id: int | None = None,
    application: str = "",
    collectivite_id: int | None = None,
) -> QuerySet[Convention]:
    qs = Convention.objects.select_related("collectivite", "model").order_by(
        "collectivite__name", "-pk"
    )
    if state:
        qs = qs.filter(state=state)
    if model_id:
        qs = qs.filter(model_id=model_id)
    if application:
        qs = qs.filter(coverages__application__code=application).distinct()
    if collectivite_id:
        qs = qs.filter(collectivite_id=collectivite_id)
    return qs


@dataclass(frozen=True)
class Deadline:
    on: date
    label: str
    convention: Convention
    overdue: bool = False  # already past and still to handle (an unanswered avenant)


def _model_rules(convention: Convention):
    return terms.Rules.of(convention.model)


def convention_deadlines(convention: Convention, *, today: date) -> list[Deadline]:
    """What is coming for one convention (needs ``pending_amendments`` prefetched or not):
    last days to give notice, renewal, fixed end, avenants awaiting an answer, threshold."""
    found = []
    amendments = getattr(convention, "pending_amendments", None)
    if amendments is None:
        amendments = list(convention.amendments.filter(state="requested"))
    for amendment in amendments:
        found.append(
            Deadline(
                amendment.answer_due_on,
                f"Avenant n°{amendment.number} : réponse due",
                convention,
            )
        )
    if (
        convention.state == Convention.State.WAITING_THRESHOLD
        and convention.model.threshold_last_day
    ):
        found.append(
            Deadline(
                convention.model.threshold_last_day, "Dernier jour du seuil collectif", convention
            )
        )
    if convention.state not in (Convention.State.ACTIVE, Convention.State.SUSPENDED):
        return found
    rules = _model_rules(convention)
    period = terms.period_containing(rules, convention.starts_on, today)
    ends_by_notice = convention.ends_on is not None and convention.ends_on <= period.last
    if ends_by_notice:
        found.append(Deadline(convention.ends_on, "Fin de la convention", convention))
        return found
    for party, label in (("member", "du membre"), ("operator", "de l'opérateur")):
        last_day = terms.notice_last_day(rules, party=party, period_last=period.last)
        if last_day is not None and last_day >= today:
            found.append(Deadline(last_day, f"Dernier jour de dénonciation {label}", convention))
    end = terms.fixed_end(rules, convention.starts_on)
    if end is not None:
        found.append(Deadline(end, "Fin du terme fixe", convention))
    elif rules.tacit_renewal:
        renewal = terms.next_anniversary(rules, convention.starts_on, today)
        found.append(Deadline(renewal, "Reconduction tacite", convention))
    return found


def _with_pending_amendments(qs):
    return qs.prefetch_related(
        Prefetch(
            "amendments",
            queryset=Amendment.objects.filter(state=Amendment.State.REQUESTED).order_by("number"),
            to_attr="pending_amendments",
        )
    )


def conventions_to_handle(*, today: date, days: int = 31) -> list[Deadline]:
    """The operator's "à traiter ce mois-ci": every deadline up to ``days`` ahead, soonest
    first, those already past and still to handle first of all, flagged ``overdue`` (issue
    24 §3: an avenant left unanswered must not vanish from the list on its due date). Two
    queries, whatever the number of conventions."""
    horizon = today + timedelta(days=days)
    live = _with_pending_amendments(
        Convention.objects.filter(
            state__in=(
                Convention.State.ACTIVE,
                Convention.State.SUSPENDED,
                Convention.State.WAITING_THRESHOLD,
                Convention.State.SIGNED,
            )
        ).select_related("collectivite", "model")
    )
    due = [
        replace(d, overdue=d.on < today)
        for convention in live
        for d in convention_deadlines(convention, today=today)
        if d.on <= horizon
    ]
    return sorted(due, key=lambda d: (d.on, d.convention.collectivite.name))


def conventions_page(*, today: date, due_within: int | None = None, **filters):
    """The list page's rows: a queryset to paginate in the database; with ``due_within``,
    the list of those whose next deadline falls within that many days (computed in Python
    over the filtered rows, ``next_deadline`` set). Constant queries either way."""
    rows = _with_pending_amendments(conventions_list(**filters))
    if due_within is None:
        return rows
    horizon = today + timedelta(days=due_within)
    rows = next_deadlines_set(list(rows), today=today)
    return [c for c in rows if c.next_deadline and c.next_deadline.on <= horizon]


def next_deadlines_set(rows: list[Convention], *, today: date) -> list[Convention]:
    """Set ``next_deadline`` (the soonest coming one, or None) on each row (no query when
    ``pending_amendments`` was prefetched)."""
    for convention in rows:
        if hasattr(convention, "next_deadline"):
            continue
        deadlines = [d for d in convention_deadlines(convention, today=today) if d.on >= today]
        convention.next_deadline = min(deadlines, key=lambda d: d.on) if deadlines else None
    return rows


def convention_timeline(convention: Convention) -> list[tuple[date, str, str]]:
    """(date, kind, text) of the convention's periods, notices, amendments and history,
    oldest first, for the convention page (which shows the dates in French, portal.formats)."""
    items = []
    for period in convention.periods.all():
        items.append(
            (
                period.starts_on,
                "Période",
                f"Période n°{period.number} : du"
                f" {period.starts_on:%d/%m/%Y} au {period.ends_on:%d/%m/%Y}",
            )
        )
    for notice in convention.notices.all():
        state = "dans les délais" if notice.on_time else "tardive"
        items.append(
            (
                notice.received_on,
                "Dénonciation",
                f"{notice.get_party_display()} ({notice.get_means_display().lower()}), {state} :"
                f" fin au {notice.ends_on:%d/%m/%Y} inclus",
            )
        )
    for amendment in convention.amendments.all():
        items.append(
            (
                amendment.requested_on,
                "Avenant",
                f"Avenant n°{amendment.number} ({amendment.get_state_display().lower()}) : effet"
                f" le {amendment.effective_on:%d/%m/%Y}, réponse due le"
                f" {amendment.answer_due_on:%d/%m/%Y}",
            )
        )
    for entry in history_for(subject=convention):
        local = entry.created_at.astimezone(ZoneInfo("Europe/Paris"))
        items.append(
            (
                local.date(),
                "Historique",
                f"{HISTORY_LABELS.get(entry.action, entry.action)}"
                f" — {entry.actor_label or '—'} ({local:%d/%m/%Y %H:%M})",
            )
        )
    return sorted(items, key=lambda item: item[0])


HISTORY_LABELS = {
    "created": "Création",
    "sent": "Envoi pour signature",
    "signed": "Signature enregistrée",
    "in_force": "Entrée en vigueur",
    "suspended": "Suspension",
    "resumed": "Levée de la suspension",
    "terminated": "Résiliation",
    "expired": "Échéance",
    "lapsed": "Caducité (seuil non atteint)",
    "renewed": "Reconduction tacite",
    "reminder": "Rappel d'échéance envoyé",
    "notice": "Dénonciation enregistrée",
    "amendment_requested": "Avenant demandé",
    "amendment_accepted": "Avenant accepté",
    "amendment_refused": "Avenant refusé",
    "amendment_applied": "Avenant appliqué",
    "document_issued": "Document émis",
    "scan_attached": "Scan signé joint",
    "usage_report_requested": "Compte rendu annuel demandé",
}


def conventions_csv(rows: list[Convention]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        [
            "Référence",
            "Collectivité",
            "Modèle",
            "État",
            "Signée le",
            "Début",
            "Fin",
            "Prochaine échéance",
        ]
    )
    for c in rows:
        deadline = getattr(c, "next_deadline", None)
        writer.writerow(
            [
                spreadsheet_cell(value)
                for value in (
                    c.reference,
                    c.collectivite.name,
                    c.model.name,
                    c.get_state_display(),
                    c.signed_on.strftime("%d/%m/%Y") if c.signed_on else "",
                    c.starts_on.strftime("%d/%m/%Y") if c.starts_on else "",
                    c.ends_on.strftime("%d/%m/%Y") if c.ends_on else "",
                    f"{deadline.on:%d/%m/%Y} {deadline.label}" if deadline else "",
                )
            ]
        )
    return out.getvalue()


def collectivite_stopped_applications(*, collectivite_id: int, day: date) -> list[str]:
    """Labels of the applications an ended convention of the member covered, that no
    agreement in force covers on ``day``."""
    in_use = set(collectivite_services_on(collectivite_id=collectivite_id, day=day))
    ended = (
        ConventionApplication.objects.filter(
            convention__collectivite_id=collectivite_id,
            convention__state__in=Convention.ENDED,
        )
        .exclude(application__code__in=in_use)
        .order_by("application__position")
        .values_list("application__label", flat=True)
        .distinct()
    )
    return list(ended)
