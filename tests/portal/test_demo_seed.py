"""make demo's seed: real communes, every account, and a second run changes nothing."""

from django.core.management import call_command

from portal.accounts.models import User
from portal.demo_data import DEMO_PASSWORD, demo_accounts
from tenants.models import Collectivite, Domain, Membership


def _snapshot():
    return {
        "users": sorted(
            User.objects.values_list("email", "password", "is_platform_admin", "is_finance")
        ),
        "collectivites": sorted(
            Collectivite.objects.values_list(
                "schema_name", "name", "insee_code", "population_totale", "status"
            )
        ),
        "domains": sorted(Domain.objects.values_list("domain", "tenant__schema_name")),
        "memberships": sorted(
            Membership.objects.values_list("user__email", "collectivite__slug", "role")
        ),
    }


def test_seed_is_idempotent_and_complete(db):
    # The session's test tenants stand for Puy-Saint-André and Briançon: free their codes.
    Collectivite.objects.filter(slug__in=["test-a", "test-b"]).update(insee_code="")
    call_command("seed_demo", verbosity=0)
    first = _snapshot()
    call_command("seed_demo", verbosity=0)
    assert _snapshot() == first

    briancon = Collectivite.objects.get(slug="briancon")
    assert (briancon.name, briancon.insee_code, briancon.population_totale) == (
        "Briançon",
        "05023",
        11059,
    )
    assert {c.insee_code for c in Collectivite.objects.members()} >= {"05107", "05023", "05046"}
    assert Domain.objects.filter(domain="localhost", tenant__schema_name="public").exists()
    for email, _role in demo_accounts():
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD), email
    assert User.objects.get(email="plateforme@hautes-alpes.demo").is_platform_admin
    assert User.objects.get(email="finances@hautes-alpes.demo").is_finance
    assert Membership.objects.get(user__email="admin@embrun.demo").role == Membership.Role.ADMIN

    # Conventions (issue 9): one per demo commune, in force, and something due this month.
    from django.utils import timezone

    from conventions.models import Convention
    from conventions.selectors import conventions_to_handle

    assert set(
        Convention.objects.filter(state="active").values_list("collectivite__slug", flat=True)
    ) >= {"puy-saint-andre", "briancon", "embrun"}
    due = {
        d.convention.collectivite.slug for d in conventions_to_handle(today=timezone.localdate())
    }
    assert {"puy-saint-andre", "briancon"} <= due
    assert "sve" in Collectivite.objects.get(slug="briancon").services


def test_the_demo_prints_how_to_pass_the_operator_staffs_second_factor(db):
    """Issue 24 §5: a newcomer signs in as the platform admin and the finance officer with
    what the banner prints: the TOTP secret as an otpauth:// URI, or a recovery code."""
    from urllib.parse import parse_qs, urlsplit

    from django_otp.oath import TOTP

    from identity.services.second_factor import second_factor_verify
    from portal.demo import _banner
    from portal.demo_data import demo_second_factors

    Collectivite.objects.filter(slug__in=["test-a", "test-b"]).update(insee_code="")
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)  # the same secret and codes on a second run
    printed = {email: (uri, codes) for email, uri, codes in demo_second_factors()}
    assert set(printed) >= {"plateforme@hautes-alpes.demo", "finances@hautes-alpes.demo"}
    banner = _banner()
    for email, (uri, codes) in printed.items():
        assert uri.startswith("otpauth://totp/") and uri in banner and codes[0] in banner
        user = User.objects.get(email=email)
        secret = parse_qs(urlsplit(uri).query)["secret"][0]
        import base64

        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        code = f"{TOTP(key).token():06d}"
        assert second_factor_verify(user=user, code=code) is not None, email
        assert second_factor_verify(user=user, code=codes[1]) is not None, email
