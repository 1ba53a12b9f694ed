"""The demo's second factors (issue 24 §5): the operator's staff must pass a second factor
(identity.services.second_factor), so that a newcomer can try the onboarding and billing,
the demo enrols each such demo account in TOTP and prints, in its banner, the secret as an
``otpauth://`` URI (an authenticator app reads it; `oathtool` too) and recovery codes.

Demo secrets are public by design, like the demo password: they are derived from the
account's e-mail, so the banner and the README name the same ones on every machine."""

import hashlib

RECOVERY_SHOWN = 3


def _demo_staff():
    """The demo accounts that must pass a second factor."""
    from identity.services.second_factor import second_factor_required
    from portal.accounts.models import User
    from portal.demo_data import demo_accounts

    emails = [email for email, _ in demo_accounts()]
    return [
        user
        for user in User.objects.filter(email__in=emails).order_by("email")
        if second_factor_required(user=user)
    ]


def _demo_key(email: str) -> str:
    """The TOTP key (hex, 20 bytes) of a demo account: public, fixed by its e-mail."""
    return hashlib.sha1(f"portail-demo-totp:{email}".encode()).hexdigest()


def _demo_codes(email: str) -> list[str]:
    digest = hashlib.sha256(f"portail-demo-secours:{email}".encode()).hexdigest()
    return [digest[i : i + 8] for i in range(0, 8 * RECOVERY_SHOWN, 8)]


def seed_final() -> None:
    """Enrol the demo staff (idempotent: the same device and codes each run)."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for user in _demo_staff():
        TOTPDevice.objects.filter(user=user).exclude(key=_demo_key(user.email)).delete()
        TOTPDevice.objects.update_or_create(
            user=user,
            key=_demo_key(user.email),
            defaults={"name": "Application d'authentification (démo)", "confirmed": True},
        )
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name="Codes de secours (démo)", defaults={"confirmed": True}
        )
        for code in _demo_codes(user.email):
            StaticToken.objects.get_or_create(device=device, token=code)


def demo_second_factors() -> list[tuple[str, str, list[str]]]:
    """(e-mail, otpauth:// URI, recovery codes) of each demo account enrolled above."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    found = []
    for user in _demo_staff():
        device = TOTPDevice.objects.filter(user=user, key=_demo_key(user.email)).first()
        if device is not None:
            found.append((user.email, device.config_url, _demo_codes(user.email)))
    return found
