"""Reads of the SVE app: the agents' request table, a citizen's requests everywhere."""

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from portal.calendar import add_working_days
from portal.inputs import row_id
from sve.models import Document, Form, Request, Status
from tenants.selectors import account_collectivites, collectivite_site_url

SORTS = {
    "echeance": ("implicit_decision_on", "received_at"),
    "-echeance": ("-implicit_decision_on", "-received_at"),
    "reception": ("received_at",),
    "-reception": ("-received_at",),
    "ar": ("ar_due_on", "received_at"),
}


def forms_online() -> QuerySet[Form]:
    return (
        Form.objects.filter(is_enabled=True, current_version__isnull=False)
        .select_related("current_version")
        .order_by("current_version__title")
    )


def requests_table(
    *,
    status: str = "",
    form: str = "",
    assignee: str = "",
    window: int | None = None,
    ar: str = "",
    q: str = "",
    sort: str = "echeance",
    today: date | None = None,
    insee_code: str = "",
) -> QuerySet[Request]:
    """The agents' request table, filtered and sorted (drafts never shown).

    ``window``: implicit decision within that many days; ``ar="late"``: AR overdue or due
    within 3 working days (CRPA R112-11-1)."""
    today = today or timezone.localdate()
    qs = (
        Request.objects.exclude(status=Status.DRAFT)
        .select_related("form_version", "assignee")
        .only(
            "id",
            "reference",
            "status",
            "regime",
            "first_name",
            "last_name",
            "email",
            "received_at",
            "received_on",
            "ar_due_on",
            "acknowledged_at",
            "implicit_decision_on",
            "assignee__id",
            "assignee__email",
            "assignee__first_name",
            "assignee__last_name",
            "form_version__title",
            "form_version__form_id",
        )
    )
    if status:
        qs = qs.filter(status=status)
    if form:
        qs = qs.filter(form__slug=form)
    if assignee == "aucun":
        qs = qs.filter(assignee__isnull=True)
    elif row_id(assignee) is not None:
        qs = qs.filter(assignee_id=row_id(assignee))
    if window is not None:
        qs = qs.filter(implicit_decision_on__lte=today + timedelta(days=window))
    if ar == "late":
        limit = add_working_days(today, 3, insee_code=insee_code)
        qs = qs.filter(status=Status.SUBMITTED, ar_due_on__lte=limit)
    if q:
        q = q.strip()
        qs = qs.filter(
            Q(reference__icontains=q) | Q(last_name__icontains=q) | Q(first_name__icontains=q)
        )
    order = SORTS.get(sort, SORTS["echeance"])
    return qs.order_by(
        *[
            F(key[1:]).desc(nulls_last=True) if key.startswith("-") else F(key).asc(nulls_last=True)
            for key in order
        ],
        "id",
    )


@dataclass
class CitizenRequest:
    commune: str
    commune_url: str
    reference: str | None
    status: str
    title: str
    received_at: datetime | None
    implicit_decision_on: date | None
    decided_at: datetime | None
    token: str
    documents: list
    messages: int
    form_slug: str

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def url(self) -> str:
        return f"{self.commune_url}demarches/suivi/{self.token}/"

    @property
    def draft_url(self) -> str:
        return f"{self.commune_url}demarches/formulaire/{self.form_slug}/?brouillon={self.token}"


def citizen_requests(*, user) -> list[CitizenRequest]:
    """Every request of ``user`` in every active commune, in a fixed number of queries
    (the communes, then one UNION ALL over their schemas), whichever schema is active.

    Only the communes where the account has filed something are read (AccountActivity,
    written with each filing): the cost does not grow with the number of members."""
    communes = account_collectivites(user=user, service="sve", field="requests")
    if not communes:
        return []
    quote = connection.ops.quote_name
    parts, params = [], []
    for index, commune in enumerate(communes):
        schema = quote(commune.schema_name)
        parts.append(
            f"""SELECT {index} AS commune, r.reference, r.status, v.title, r.received_at,
                r.implicit_decision_on, r.decided_at, r.access_token, r.created_at,
                (SELECT coalesce(json_agg(json_build_object('id', d.id, 'kind', d.kind,
                        'filename', d.filename) ORDER BY d.id), '[]'::json)
                   FROM {schema}.sve_document d
                  WHERE d.request_id = r.id AND d.kind IN ('aee', 'ar', 'decision',
                        'attestation')) AS documents,
                (SELECT count(*) FROM {schema}.sve_message m
                  WHERE m.request_id = r.id AND NOT m.internal) AS messages,
                f.slug
               FROM {schema}.sve_request r
               JOIN {schema}.sve_form f ON f.id = r.form_id
               JOIN {schema}.sve_formversion v ON v.id = r.form_version_id
              WHERE r.user_id = %s"""
        )
        params.append(user.pk)
    sql = " UNION ALL ".join(parts) + " ORDER BY created_at DESC"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    urls = {}
    for index, commune in enumerate(communes):
        urls[index] = commune, collectivite_site_url(collectivite=commune)
    result = []
    for row in rows:
        commune, url = urls[row[0]]
        documents = row[9] if isinstance(row[9], list) else json.loads(row[9])
        for document in documents:
            document["label"] = Document.Kind(document["kind"]).label
        result.append(
            CitizenRequest(
                commune=commune.name,
                commune_url=url,
                reference=row[1],
                status=row[2],
                title=row[3],
                received_at=row[4],
                implicit_decision_on=row[5],
                decided_at=row[6],
                token=row[7],
                documents=documents,
                messages=row[10],
                form_slug=row[11],
            )
        )
    return result
