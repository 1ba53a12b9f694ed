"""Demo data of the support desk: a desk account and a few help articles."""

from portal.accounts.models import User
from portal.audit.trail import SYSTEM_COMMAND
from support.models import DeskMember, HelpArticle
from support.services import help_article_save

DESK_EMAIL = "support@hautes-alpes.demo"

ARTICLES = (
    (
        "Réinitialiser le mot de passe d'un agent",
        "",
        "Dans votre espace de gestion, ouvrez « Membres », choisissez l'agent puis "
        "« Renvoyer le lien ». L'agent reçoit un lien valable 3 jours pour choisir un "
        "nouveau mot de passe.",
    ),
    (
        "Un formulaire en ligne n'apparaît pas sur le site de la commune",
        "sve",
        "Vérifiez qu'il est publié (« Démarches », « Formulaires ») et que le nom, l'adresse, "
        "le courriel et le téléphone du service sont renseignés : un formulaire sans "
        "coordonnées ne peut pas être mis en ligne.",
    ),
    (
        "Ouvrir des plages de rendez-vous",
        "rendezvous",
        "Dans « Rendez-vous », « Plages d'ouverture », choisissez le lieu, le service, les jours "
        "et les heures. Les jours fériés sont bloqués automatiquement.",
    ),
)


def seed_public() -> None:
    from portal.demo_data import DEMO_PASSWORD

    user = User.objects.filter(email__iexact=DESK_EMAIL).first() or User.objects.create_user(
        email=DESK_EMAIL, password=DEMO_PASSWORD, first_name="Sacha", last_name="Support"
    )
    DeskMember.objects.get_or_create(user=user)
    for title, application, body in ARTICLES:
        if not HelpArticle.objects.filter(title=title).exists():
            help_article_save(
                acting_user=SYSTEM_COMMAND,
                article=HelpArticle(title=title, application=application, body=body),
            )
