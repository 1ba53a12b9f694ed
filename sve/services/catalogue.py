"""The commune's catalogue: forms, their versions, templates enabled in one click."""

from django.db import transaction
from django.utils.text import slugify

from portal.tenant_cache import tenant_cache_forget
from sve.catalogue import APPEAL_ROUTES, TEMPLATES
from sve.fields import specs_check
from sve.journal import journal_append
from sve.models import Form, FormVersion, Regime
from sve.selectors import FORMS_ALL_CACHE, FORMS_ONLINE_CACHE
from sve.services.common import SveError, require_admin, tenant

VERSION_FIELDS = (
    "title",
    "description",
    "fields",
    "regime",
    "asks_decision",
    "delay_months",
    "delay_days",
    "service_name",
    "service_address",
    "service_email",
    "service_phone",
    "appeal_routes",
)


def _version_check(values: dict) -> None:
    if not (values.get("title") or "").strip():
        raise SveError("Donnez un titre au formulaire.", code="title_missing")
    if values.get("regime") not in Regime.values:
        raise SveError("Choisissez le régime du silence (SVA ou SVR).", code="bad_regime")
    if not (values.get("service_name") or "").strip():
        # CRPA R112-5: the AR names the service in charge.
        raise SveError("Indiquez le service instructeur.", code="service_missing")
    if values["regime"] == Regime.SVR and not (values.get("appeal_routes") or "").strip():
        raise SveError(
            "Un formulaire en SVR doit indiquer les voies de recours.", code="appeal_missing"
        )
    if int(values.get("delay_months") or 0) + int(values.get("delay_days") or 0) <= 0:
        raise SveError("Le délai de décision implicite doit être positif.", code="bad_delay")
    specs_check(values.get("fields") or [])


@transaction.atomic
def form_version_publish(*, form: Form, acting_user, **values) -> FormVersion:
    """A new version of ``form`` (requests already filed keep theirs)."""
    require_admin(acting_user)
    current = form.current_version
    merged = {name: getattr(current, name) for name in VERSION_FIELDS} if current else {}
    merged.update(values)
    _version_check(merged)
    last = form.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = FormVersion.objects.create(form=form, number=last + 1, **merged)
    form.current_version = version
    form.save(update_fields=["current_version"])
    tenant_cache_forget(FORMS_ONLINE_CACHE, FORMS_ALL_CACHE)
    journal_append(
        acting_user=acting_user,
        actor_label="" if acting_user else "système",
        action="form_published",
        payload={"form": form.slug, "version": version.number},
    )
    return version


@transaction.atomic
def form_create(*, acting_user, slug: str = "", template_code: str = "", **values) -> Form:
    require_admin(acting_user)
    slug = slugify(slug or values.get("title", ""))[:80]
    if not slug:
        raise SveError("Donnez un titre au formulaire.", code="title_missing")
    if Form.objects.filter(slug=slug).exists():
        raise SveError("Un formulaire porte déjà cet identifiant.", code="slug_taken")
    form = Form.objects.create(slug=slug, template_code=template_code)
    form_version_publish(form=form, acting_user=acting_user, **values)
    return form


# CRPA R112-5 2° / R112-11-1 2°: the AR names the service in charge with its address,
# e-mail and phone; a form goes online only once its version states all four.
SERVICE_CONTACT_FIELDS = {
    "service_name": "nom",
    "service_address": "adresse postale",
    "service_email": "adresse électronique",
    "service_phone": "numéro de téléphone",
}


def form_service_defaults() -> dict:
    """A new form's service: the commune's own contact details (its settings' page)."""
    commune = tenant()
    return {
        "service_name": f"Mairie de {commune.name}",
        "service_address": commune.contact_address or "",
        "service_email": commune.contact_email or "",
        "service_phone": commune.contact_phone or "",
    }


def form_contact_missing(version: FormVersion | None) -> list[str]:
    """What the AR could not state: French words for the missing service details."""
    if version is None:
        return list(SERVICE_CONTACT_FIELDS.values())
    return [
        words
        for name, words in SERVICE_CONTACT_FIELDS.items()
        if not (getattr(version, name) or "").strip()
    ]


@transaction.atomic
def form_template_enable(*, code: str, acting_user) -> Form:
    """Enable one of seed 002's ready forms in one click (idempotent)."""
    require_admin(acting_user)
    if code not in TEMPLATES:
        raise SveError("Modèle inconnu.", code="unknown_template")
    form = Form.objects.filter(template_code=code).first()
    if form is None:
        template = TEMPLATES[code]
        form = form_create(
            acting_user=acting_user,
            slug=code,
            template_code=code,
            title=template["title"],
            description=template["description"],
            fields=template["fields"],
            regime=template["regime"],
            asks_decision=template.get("asks_decision", True),
            delay_months=2,
            delay_days=0,
            appeal_routes=APPEAL_ROUTES,
            **form_service_defaults(),
        )
    return form_enable(form=form, acting_user=acting_user, enabled=True)


@transaction.atomic
def form_enable(*, form: Form, acting_user, enabled: bool) -> Form:
    """Put a form online (or offline). Online only when its AR can name the service with
    address, e-mail and phone (CRPA R112-5 2°, R112-11-1 2°)."""
    require_admin(acting_user)
    if enabled:
        missing = form_contact_missing(form.current_version)
        if missing:
            raise SveError(
                "Ce formulaire ne peut pas être mis en ligne : l'accusé de réception doit "
                "indiquer le service instructeur au complet (manque : %(missing)s). Les "
                "coordonnées de la mairie, renseignées dans ses réglages, sont reprises par "
                "défaut pour les nouveaux formulaires.",
                params={"missing": ", ".join(missing)},
                code="contact_missing",
            )
    if form.is_enabled != enabled:
        form.is_enabled = enabled
        form.save(update_fields=["is_enabled"])
        tenant_cache_forget(FORMS_ONLINE_CACHE, FORMS_ALL_CACHE)
        journal_append(
            acting_user=acting_user,
            actor_label="" if acting_user else "système",
            action="form_enabled" if enabled else "form_disabled",
            payload={"form": form.slug},
        )
    return form


def form_new_defaults() -> dict:
    """What the builder proposes for a new form: the commune's contact details, SVA in two
    months (CRPA L231-1) and the usual appeal routes, ready for an SVR choice."""
    return {
        "regime": Regime.SVA,
        "asks_decision": True,
        "delay_months": 2,
        "delay_days": 0,
        "appeal_routes": APPEAL_ROUTES,
        **form_service_defaults(),
    }


@transaction.atomic
def form_save(*, form: Form | None, acting_user, **values) -> Form:
    """Save the builder's content as a new version without changing whether it is online."""
    if form is None:
        return form_create(acting_user=acting_user, **values)
    form_version_publish(form=form, acting_user=acting_user, **values)
    return form


@transaction.atomic
def form_publish(*, form: Form | None, acting_user, **values) -> Form:
    """The builder's "Enregistrer et publier": create the form if new, publish a version and
    put it online, all or nothing (a form that cannot go online is not saved either)."""
    form = form_save(form=form, acting_user=acting_user, **values)
    return form_enable(form=form, acting_user=acting_user, enabled=True)
