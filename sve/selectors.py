"""Reads of the SVE app: the agents' request table, a citizen's requests everywhere."""

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from portal.inputs import row_id
from portal.links import pk_url
from portal.tenant_cache import tenant_cached
from sve import deadlines
from sve.models import CLOCK_RUNNING_STATUSES, Document, Form, Request, Status
from tenants.selectors import account_collectivites, collectivite_site_url

SORTS = {
    "echeance": ("implicit_decision_on", "received_at"),
    "-echeance": ("-implicit_decision_on", "-received_at"),
    "reception": ("received_at",),
    "-reception": ("-received_at",),
    "ar": ("ar_due_on", "received_at"),
}


# Names of the commune's cached catalogue (portal.tenant_cache), forgotten by the
# catalogue's services on every change.
FORMS_ONLINE_CACHE = "sve:forms-online-rows"
FORMS_ALL_CACHE = "sve:forms-all"


def forms_online() -> QuerySet[Form]:
    return (
        Form.objects.filter(is_enabled=True, current_version__isnull=False)
        .select_related("current_version")
        .order_by("current_version__title")
    )


@dataclass(frozen=True)
class FormRow:
    """A form online as visitors' pages list it (plain values: cheap to read from the cache,
    issue 11 §4)."""

    url: str
    title: str
    description: str


def forms_online_cached() -> list[FormRow]:
    """The forms online, as every visitor's page lists them (kept in the cache)."""

    def build() -> list[FormRow]:
        return [
            FormRow(
                url=reverse("sve:fill", args=[form.slug]),
                title=form.current_version.title,
                description=form.current_version.description,
            )
            for form in forms_online()
        ]

    return tenant_cached(FORMS_ONLINE_CACHE, build)


def form_choices() -> list[tuple[str, str]]:
    """(slug, title) of every form of the commune, for the agents' filters."""
    return [(f.slug, str(f)) for f in Form.objects.select_related("current_version")]


def form_choices_cached() -> list[tuple[str, str]]:
    return tenant_cached(FORMS_ALL_CACHE, form_choices)


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
    within AR_SOON_WORKING_DAYS working days (CRPA R112-11-1)."""
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
        limit = deadlines.ar_soon_until(today, insee_code=insee_code)
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


def request_outlook(request: Request) -> str:
    """Where the decision stands, in the citizen's words, for every status (the tracking
    page says "acceptée le …" only while that is still ahead)."""
    from django.utils.formats import date_format

    from sve.documents import pieces_effect

    def day(value) -> str:
        return date_format(value, "j F Y") if value else ""

    decided = day(timezone.localdate(request.decided_at)) if request.decided_at else ""
    status = request.status
    if status == Status.ACCEPTED:
        return f"Votre demande a été acceptée le {decided}."
    if status == Status.REJECTED:
        return f"Votre demande a été refusée le {decided} : la décision indique ses motifs et les voies de recours."
    if status == Status.CLOSED:
        return f"Votre demande a été classée sans suite le {decided}."
    if status == Status.HANDLED:
        return f"Votre demande a été traitée le {decided}."
    if status == Status.IMPLICITLY_ACCEPTED:
        # CRPA L231-1 / L232-3: the implicit acceptance is born; an attestation may be asked.
        return (
            "Faute de réponse dans le délai, votre demande est acceptée implicitement depuis "
            f"le {day(request.implicit_decision_on)} au soir. Vous pouvez télécharger "
            "l'attestation de décision implicite d'acceptation."
        )
    if status == Status.IMPLICITLY_REJECTED:
        appeal = deadlines.appeal_deadline(
            notified_on=request.implicit_decision_on,
            ar_complete=request.acknowledged_at is not None,
        )
        text = (
            "Faute de réponse dans le délai, votre demande est refusée implicitement depuis "
            f"le {day(request.implicit_decision_on)} au soir. Vous pouvez former un recours "
            f"dans un délai de {deadlines.in_words(deadlines.APPEAL_MONTHS, 'mois')}"
        )
        return text + (f", soit jusqu'au {day(appeal)}." if appeal else ".")
    if status == Status.AWAITING_PIECES:
        return pieces_effect(request)
    if status == Status.DRAFT:
        return ""
    version = request.form_version
    if not deadlines.implicit_outcome_announced(asks_decision=version.asks_decision):
        return f"Votre demande a bien été reçue par le service : {version.service_name}."
    if request.acknowledged_at is None or not request.implicit_decision_on:
        # The regime is the agent's to confirm in the acknowledgement (CRPA R112-5).
        return (
            "L'accusé de réception vous indiquera le délai au terme duquel, à défaut de "
            "réponse, votre demande sera réputée acceptée ou rejetée."
        )
    # CRPA L231-1 / L231-4, worded as the acknowledgement states it (R112-5).
    outcome = "acceptée" if request.regime == "sva" else "rejetée"
    return (
        "À défaut de réponse dans ce délai, votre demande sera réputée "
        f"{outcome} le {day(request.implicit_decision_on)}."
    )


@dataclass(frozen=True)
class RequestRow:
    """One line of the agents' request table, ready to show (the page lists 50 of them:
    formatting in Python costs a fraction of the template's lookups and filters)."""

    pk: int
    url: str
    reference: str
    form_title: str
    applicant: str
    status: str
    status_label: str
    received: str
    ar_flag: str | None  # "overdue", "soon" or None (deadlines.ar_flag)
    ar_due: str
    acknowledged: bool
    decision_on: str
    decision_flag: str | None  # "overdue", "soon", "later" or None (deadlines.decision_flag)
    days_left: int | None
    awaiting_pieces: bool
    assignee: str


def request_rows(
    requests: QuerySet[Request], *, today: date, insee_code: str = ""
) -> list[RequestRow]:
    """``requests`` (a page of ``requests_table``) as rows, read as plain values: no model
    instances, labels and the time zone looked up once (issue 11 §4)."""
    from sve import deadlines

    request_url = pk_url("sve:agent_request")
    labels = {value: str(label) for value, label in Status.choices}
    tz = timezone.get_current_timezone()
    values = requests.values_list(
        "pk", "reference", "form_version__title", "first_name", "last_name", "status",
        "received_at", "ar_due_on", "acknowledged_at", "implicit_decision_on",
        "assignee_id", "assignee__first_name", "assignee__last_name", "assignee__email",
    )  # fmt: skip
    rows = []
    for (
        pk, reference, form_title, first_name, last_name, status, received_at, ar_due_on,
        acknowledged_at, decision_on, assignee_id, assignee_first, assignee_last, assignee_email,
    ) in values:  # fmt: skip
        received = received_at.astimezone(tz) if received_at else None
        acknowledged = acknowledged_at is not None
        # As User.get_full_name() or email, and Request.applicant_name.
        assignee = f"{assignee_first} {assignee_last}".strip() or assignee_email
        rows.append(
            RequestRow(
                pk=pk,
                url=request_url(pk),
                reference=reference or "",
                form_title=form_title,
                applicant=f"{first_name} {last_name}".strip(),
                status=status,
                status_label=labels[status],
                received=received.strftime("%d/%m/%Y %H:%M") if received else "",
                ar_flag=deadlines.ar_flag(
                    due_on=ar_due_on, acknowledged=acknowledged, today=today, insee_code=insee_code
                ),
                ar_due=ar_due_on.strftime("%d/%m") if ar_due_on else "",
                acknowledged=acknowledged,
                decision_on=decision_on.strftime("%d/%m/%Y") if decision_on else "",
                decision_flag=deadlines.decision_flag(
                    decision_on=decision_on,
                    clock_running=status in CLOCK_RUNNING_STATUSES,
                    today=today,
                ),
                days_left=deadlines.days_left(deadline=decision_on, today=today),
                awaiting_pieces=status == Status.AWAITING_PIECES,
                assignee=(assignee or "") if assignee_id else "",
            )
        )
    return rows


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
