"""Reads of the support desk: the queue by due time, a member's requests, the monthly
"taken into account in time" report (seed 001 art. 4), and the help search."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.utils import timezone

from portal.accounts.models import User
from portal.exports import spreadsheet_cell
from portal.text import search_key
from support.models import HelpArticle, SupportRequest

Status = SupportRequest.Status

# The desk's queue shows these badges (seed 001 art. 4: "4h de délai").
DUE_SOON_MINUTES = 60


def _with_next_due(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(
        next_due=Case(
            When(taken_at__isnull=True, then=F("take_due_at")),
            When(status=Status.TAKEN, then=F("answer_due_at")),
            default=None,
        )
    )


def desk_queue(
    *,
    status: str = "",
    kind: str = "",
    collectivite_id: int | None = None,
    assignee_id: int | None = None,
    include_closed: bool = False,
) -> QuerySet[SupportRequest]:
    """Requests by due time (the most urgent first; those with no running clock last)."""
    queryset = SupportRequest.objects.select_related("collectivite", "assignee")
    if status:
        queryset = queryset.filter(status=status)
    elif not include_closed:
        queryset = queryset.open()
    if kind:
        queryset = queryset.filter(kind=kind)
    if collectivite_id:
        queryset = queryset.filter(collectivite_id=collectivite_id)
    if assignee_id:
        queryset = queryset.filter(assignee_id=assignee_id)
    return _with_next_due(queryset).order_by(F("next_due").asc(nulls_last=True), "filed_at")


def due_badge(request: SupportRequest, *, now: datetime | None = None) -> str:
    """ "late", "soon" (due within the hour) or "" for a request of the queue."""
    due = getattr(request, "next_due", None) or request.next_due_at
    if due is None:
        return ""
    now = now or timezone.now()
    if due < now:
        return "late"
    if (due - now).total_seconds() <= DUE_SOON_MINUTES * 60:
        return "soon"
    return ""


def desk_staff() -> QuerySet[User]:
    """Who may be given a request: active platform admins and the desk's members."""
    active = User.objects.filter(is_active=True)
    return (
        active.filter(is_platform_admin=True) | active.filter(support_desk__isnull=False)
    ).distinct()


def member_requests(*, collectivite) -> QuerySet[SupportRequest]:
    return _with_next_due(
        SupportRequest.objects.filter(collectivite=collectivite).select_related("assignee")
    ).order_by("-filed_at")


def member_request_get(*, collectivite, reference: str) -> SupportRequest | None:
    """One of the member's requests, or None (another member's is never found)."""
    return (
        SupportRequest.objects.filter(collectivite=collectivite, reference=reference)
        .select_related("collectivite", "filed_by", "assignee")
        .first()
    )


def request_messages(*, request: SupportRequest, for_desk: bool):
    """The request's thread; internal notes only for the desk."""
    messages = request.messages.select_related("author").prefetch_related("attachments")
    if not for_desk:
        messages = messages.exclude(kind="note")
    return messages


@dataclass(frozen=True)
class ReportRow:
    collectivite_id: int
    name: str
    filed: int
    in_time: int
    late: int
    pending: int

    @property
    def share(self) -> float | None:
        """Share of the requests whose clock is settled that were taken in time."""
        settled = self.in_time + self.late
        return None if settled == 0 else self.in_time / settled


def _month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime(year, month, 1))
    end = timezone.make_aware(datetime(year + month // 12, month % 12 + 1, 1))
    return start, end


def take_into_account_report(
    *, year: int, month: int, now: datetime | None = None
) -> list[ReportRow]:
    """Per member, the requests filed in the month, and how many were taken into account
    within their due time (seed 001 art. 4). One grouped query, whatever the members."""
    now = now or timezone.now()
    start, end = _month_bounds(year, month)
    rows = (
        SupportRequest.objects.filter(filed_at__gte=start, filed_at__lt=end)
        .values("collectivite_id", "collectivite__name")
        .annotate(
            filed=Count("pk"),
            in_time=Count("pk", filter=Q(taken_at__lte=F("take_due_at"))),
            late=Count(
                "pk",
                filter=Q(taken_at__gt=F("take_due_at"))
                | Q(taken_at__isnull=True, take_due_at__lt=now),
            ),
        )
        .order_by("collectivite__name")
    )
    return [
        ReportRow(
            collectivite_id=row["collectivite_id"],
            name=row["collectivite__name"],
            filed=row["filed"],
            in_time=row["in_time"],
            late=row["late"],
            pending=row["filed"] - row["in_time"] - row["late"],
        )
        for row in rows
    ]


def report_totals(rows: list[ReportRow]) -> ReportRow:
    return ReportRow(
        collectivite_id=0,
        name="Ensemble des membres",
        filed=sum(r.filed for r in rows),
        in_time=sum(r.in_time for r in rows),
        late=sum(r.late for r in rows),
        pending=sum(r.pending for r in rows),
    )


def yearly_shares(
    *, year: int, collectivite_id: int | None = None
) -> list[tuple[int, float | None]]:
    """(month, share taken in time) for each month of ``year``, for the chart."""
    now = timezone.now()
    queryset = SupportRequest.objects.filter(filed_at__year=year)
    if collectivite_id:
        queryset = queryset.filter(collectivite_id=collectivite_id)
    rows = {
        row["filed_at__month"]: row
        for row in queryset.values("filed_at__month").annotate(
            in_time=Count("pk", filter=Q(taken_at__lte=F("take_due_at"))),
            late=Count(
                "pk",
                filter=Q(taken_at__gt=F("take_due_at"))
                | Q(taken_at__isnull=True, take_due_at__lt=now),
            ),
        )
    }
    shares = []
    for month in range(1, 13):
        row = rows.get(month)
        settled = row["in_time"] + row["late"] if row else 0
        shares.append((month, row["in_time"] / settled if settled else None))
    return shares


def report_csv(rows: list[ReportRow], *, year: int, month: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        [
            "Mois",
            "Collectivité",
            "Demandes",
            "Prises en compte à temps",
            "En retard",
            "En attente",
            "Part à temps (%)",
        ]
    )
    for row in rows:
        share = "" if row.share is None else f"{row.share * 100:.1f}".replace(".", ",")
        writer.writerow(
            [
                f"{year}-{month:02d}",
                spreadsheet_cell(row.name),
                row.filed,
                row.in_time,
                row.late,
                row.pending,
                share,
            ]
        )
    return out.getvalue()


def help_search(*, query: str, application: str = "", limit: int = 5) -> list[HelpArticle]:
    """Published articles matching the words of ``query`` (accents and case ignored), those
    that contain the most of them first: what a member types before filing is a sentence,
    not a search expression."""
    words = sorted({w for w in search_key(query).split() if len(w) > 3})[:12]
    if not words:
        return []
    queryset = HelpArticle.objects.filter(is_published=True)
    if application:
        queryset = queryset.filter(Q(application=application) | Q(application=""))
    matches = sum(
        (Case(When(search_text__contains=word, then=Value(1)), default=Value(0)) for word in words),
        start=Value(0),
    )
    return list(
        queryset.annotate(matches=matches)
        .filter(matches__gt=0)
        .order_by("-matches", "title")[:limit]
    )


@dataclass(frozen=True)
class YearSummary:
    filed: int
    in_time: int
    late: int
    by_kind: dict[str, int]

    @property
    def share(self) -> float | None:
        settled = self.in_time + self.late
        return None if settled == 0 else self.in_time / settled


def member_year_summary(*, collectivite_id: int, year: int) -> YearSummary:
    """A member's requests of ``year`` for its yearly usage report (seed 000): how many,
    of which kinds, and how many were taken into account in time (seed 001 art. 4)."""
    now = timezone.now()
    requests = SupportRequest.objects.filter(collectivite_id=collectivite_id, filed_at__year=year)
    totals = requests.aggregate(
        filed=Count("pk"),
        in_time=Count("pk", filter=Q(taken_at__lte=F("take_due_at"))),
        late=Count(
            "pk",
            filter=Q(taken_at__gt=F("take_due_at")) | Q(taken_at__isnull=True, take_due_at__lt=now),
        ),
    )
    by_kind = dict(requests.values_list("kind").annotate(n=Count("pk")).order_by())
    labels = dict(SupportRequest.Kind.choices)
    return YearSummary(
        filed=totals["filed"],
        in_time=totals["in_time"],
        late=totals["late"],
        by_kind={str(labels[kind]): n for kind, n in by_kind.items()},
    )
