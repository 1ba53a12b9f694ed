"""make demo: Puy-Saint-André under the seed 000 model, Briançon and Embrun under a seed 002
style model (four calendar years), with signature dates chosen relative to today so that
the operator's "à traiter ce mois-ci" always has something due. Idempotent."""

from datetime import date, timedelta

from django.utils import timezone

from conventions import services
from conventions.models import Application, Convention, ConventionModel
from conventions.seeds import seed_catalogue
from portal.accounts.models import User
from portal.calendar import add_months

DEMO_MODEL = "services-communs-hautes-alpes"
OPERATOR_ADMIN = "plateforme@hautes-alpes.demo"


def seed_public() -> None:
    seed_catalogue(Application, ConventionModel)
    base = ConventionModel.objects.get(code="services-communs-metropole")
    model, created = ConventionModel.objects.get_or_create(
        code=DEMO_MODEL,
        defaults={
            "name": "Convention de services communs des Hautes-Alpes (type Métropole)",
            "seed": "002",
            "pricing": base.pricing,
            "period_basis": base.period_basis,
            "tacit_renewal": False,
            "fixed_periods": 4,
            "notice_rule": base.notice_rule,
            "notice_deadline_member": base.notice_deadline_member,
            "notice_deadline_operator": base.notice_deadline_operator,
            "amendment_rule": base.amendment_rule,
            "amendment_request_deadline": base.amendment_request_deadline,
            "amendment_answer_months": base.amendment_answer_months,
        },
    )
    if created:
        model.applications.set(
            Application.objects.filter(
                code__in=[
                    "sve",
                    "rendezvous",
                    "e-administration",
                    "services-en-ligne",
                    "marches-publics",
                ]
            )
        )


def _sign(model, collectivite, admin, *, signed_on, starts_on=None, codes=None, today):
    applications = list(Application.objects.filter(code__in=codes)) if codes else None
    convention = services.convention_create(
        model=model,
        collectivite=collectivite,
        acting_user=admin,
        applications=applications,
        member_signatory=f"Le maire de {collectivite.name}",
        member_signatory_title="Maire",
        operator_signatory="La présidente du Département",
        operator_signatory_title="Présidente du Conseil départemental",
    )
    services.convention_send(convention=convention, acting_user=admin)
    return services.convention_sign(
        convention=convention,
        signed_on=signed_on,
        starts_on=starts_on,
        acting_user=admin,
        today=today,
    )


def seed_tenant(collectivite) -> None:
    if Convention.objects.filter(collectivite=collectivite).exists():
        return
    admin = User.objects.filter(email__iexact=OPERATOR_ADMIN).first()
    today = timezone.localdate()
    if collectivite.slug == "puy-saint-andre":
        # Seed 000: the member's last day to give notice falls in two weeks.
        anniversary = add_months(today + timedelta(days=14), 3)
        _sign(
            ConventionModel.objects.get(code="sve-hautes-alpes"),
            collectivite,
            admin,
            signed_on=add_months(anniversary, -12),
            today=today,
        )
    elif collectivite.slug in ("briancon", "embrun"):
        model = ConventionModel.objects.get(code=DEMO_MODEL)
        start = date(today.year - 1, 1, 1)
        codes = (
            None if collectivite.slug == "briancon" else ["sve", "rendezvous", "e-administration"]
        )
        convention = _sign(
            model,
            collectivite,
            admin,
            signed_on=date(today.year - 2, 11, 28),
            starts_on=start,
            codes=codes,
            today=today,
        )
        if collectivite.slug == "briancon":
            # An avenant asked ten days ago: its answer is due this month.
            services.amendment_request(
                convention=convention,
                add=[],
                remove=list(Application.objects.filter(code="marches-publics")),
                requested_on=today - timedelta(days=10),
                note="Retrait du profil d'acheteur (marchés publics).",
                acting_user=admin,
            )
