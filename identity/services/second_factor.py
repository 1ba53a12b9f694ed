"""Second factor (django-otp): a TOTP application and single-use recovery codes."""

import re
from base64 import b32encode
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from identity import audit
from portal.accounts.models import User

# Issue 12: five wrong codes in a row are refused for a while (django-otp also doubles the
# wait after each wrong code).
MAX_FAILURES = 5
LOCK_DURATION = timedelta(minutes=15)
RECOVERY_CODE_COUNT = 10


class SecondFactorRefused(Exception):
    """A code refused; the message is shown to the person, in French."""


def has_staff_role(*, user: User) -> bool:
    """Issue 12 and 22: the roles that must use a second factor: platform admins, finance
    staff, the technical admin's staff, and the roles other apps name in
    IDENTITY_SECOND_FACTOR_ROLES (the support desk)."""
    if user.is_platform_admin or user.is_finance or user.is_staff or user.is_superuser:
        return True
    return any(import_string(path)(user) for path in settings.IDENTITY_SECOND_FACTOR_ROLES)


def second_factor_required(*, user: User) -> bool:
    """Staff roles must use a second factor; anyone who enrolled one uses it at every
    sign-in."""
    return has_staff_role(user=user) or user_has_second_factor(user=user)


def user_has_second_factor(*, user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _lock_ends(device) -> timezone.datetime | None:
    count = device.throttling_failure_count
    last = device.throttling_failure_timestamp
    if count >= MAX_FAILURES and last and last + LOCK_DURATION > timezone.now():
        return last + LOCK_DURATION
    return None


def _lock_message(lock) -> str:
    return (
        f"Trop de codes erronés ({MAX_FAILURES} à la suite) : la vérification est bloquée "
        f"jusqu'à {timezone.localtime(lock):%H:%M}. Réessayez plus tard, utilisez un code de "
        "secours ou demandez de l'aide à l'administrateur de la plateforme."
    )


def second_factor_verify(*, user: User, code: str):
    """The device that accepts ``code``: six digits are a TOTP code, anything else a recovery
    code (used up once accepted). Raises SecondFactorRefused with a French message."""
    code = "".join(code.split()).lower()
    model = TOTPDevice if re.fullmatch(r"\d{6}", code) else StaticDevice
    device = model.objects.filter(user=user, confirmed=True).first()
    if device is None:
        audit.second_factor_failed(user=user, reason="no_device")
        raise SecondFactorRefused(
            "Code incorrect : ce n'est ni un code à 6 chiffres valable ni un code de secours."
        )
    lock = _lock_ends(device)
    if lock is not None:
        audit.second_factor_failed(user=user, reason="locked")
        raise SecondFactorRefused(_lock_message(lock))
    allowed, _ = device.verify_is_allowed()
    if allowed is False:
        raise SecondFactorRefused("Code refusé : attendez quelques secondes avant un nouvel essai.")
    if device.verify_token(code):
        if isinstance(device, StaticDevice):
            audit.recovery_code_used(user=user)
        return device
    audit.second_factor_failed(user=user, reason="wrong_code")
    device.refresh_from_db()
    lock = _lock_ends(device)
    if lock is not None:
        raise SecondFactorRefused(_lock_message(lock))
    raise SecondFactorRefused("Code incorrect. Vérifiez l'heure de votre téléphone et réessayez.")


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The unconfirmed TOTP device being enrolled (made once, reused until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="Application d'authentification", confirmed=False
        )
    return device


@dataclass(frozen=True)
class Enrolment:
    """A device that passed; ``recovery_codes``: new ones to show once (none if empty)."""

    device: TOTPDevice
    recovery_codes: list[str]


@transaction.atomic
def totp_enrol_confirm(*, user: User, code: str) -> Enrolment:
    """Confirm the pending TOTP device with a first code; replaces any previous device and
    issues new recovery codes (shown once)."""
    device = totp_device_pending(user=user)
    if not device.verify_token("".join(code.split())):
        raise SecondFactorRefused(
            "Code incorrect : saisissez le code à 6 chiffres affiché par votre application."
        )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_renew(user=user)
    audit.security_record(
        acting_user=user,
        action=audit.SECOND_FACTOR_ENABLED,
        target=user,
        summary=f"{user.email} a activé la double authentification",
    )
    return Enrolment(device=device, recovery_codes=codes)


def second_factor_prove(*, user: User, code: str) -> Enrolment:
    """The device ``code`` proves: one of the enrolled account's (no new recovery codes), or
    the enrolling one, confirmed by its first code (with its new recovery codes, shown
    once). Raises SecondFactorRefused with a French message."""
    if user_has_second_factor(user=user):
        return Enrolment(device=second_factor_verify(user=user, code=code), recovery_codes=[])
    return totp_enrol_confirm(user=user, code=code)


def totp_enrolment_shown(*, user: User) -> dict:
    """What the enrolment page shows: the pending device's QR code and its key in base 32
    (for an application that cannot scan)."""
    device = totp_device_pending(user=user)
    return {"qr_svg": totp_qr_svg(device=device), "secret": b32encode(device.bin_key).decode()}


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Codes de secours", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    audit.security_record(
        acting_user=user,
        action=audit.RECOVERY_CODES_RENEWED,
        target=user,
        summary=f"Nouveaux codes de secours pour {user.email}",
    )
    return codes


def totp_qr_svg(*, device: TOTPDevice) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


def totp_issuer() -> str:
    return settings.OTP_TOTP_ISSUER


@transaction.atomic
def second_factor_disable(*, user: User) -> None:
    """Remove the TOTP application and recovery codes, where the account may go without."""
    if has_staff_role(user=user):
        raise SecondFactorRefused(
            "La double authentification est obligatoire pour les administrateurs de la "
            "plateforme, les agents financiers et le support."
        )
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit.security_record(
        acting_user=user,
        action=audit.SECOND_FACTOR_DISABLED,
        target=user,
        summary=f"{user.email} a désactivé la double authentification",
    )
