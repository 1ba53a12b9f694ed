"""Second factor (django-otp): a TOTP application and single-use recovery codes."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.models import User

# Issue 12: five wrong codes in a row are refused for a while (django-otp also doubles the
# wait after each wrong code).
MAX_FAILURES = 5
LOCK_DURATION = timedelta(minutes=15)
RECOVERY_CODE_COUNT = 10


class SecondFactorRefused(Exception):
    """A code refused; the message is shown to the person, in French."""


def second_factor_required(*, user: User) -> bool:
    """Issue 12: platform admins and finance staff must use a second factor; anyone who
    enrolled one uses it at every sign-in."""
    return user.is_platform_admin or user.is_finance or user_has_second_factor(user=user)


def user_has_second_factor(*, user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _lock_ends(device) -> timezone.datetime | None:
    count = device.throttling_failure_count
    last = device.throttling_failure_timestamp
    if count >= MAX_FAILURES and last and last + LOCK_DURATION > timezone.now():
        return last + LOCK_DURATION
    return None


def second_factor_verify(*, user: User, code: str):
    """The device that accepts ``code`` (the TOTP application, or one recovery code, which
    is then used up). Raises SecondFactorRefused with a French message otherwise."""
    code = "".join(code.split())
    devices = [d for d in devices_for_user(user, confirmed=True)]
    if not devices:
        raise SecondFactorRefused("Aucune double authentification n'est configurée.")
    for device in devices:
        lock = _lock_ends(device)
        if lock is not None:
            raise SecondFactorRefused(
                f"Trop de codes erronés ({MAX_FAILURES} à la suite) : la vérification est "
                f"bloquée jusqu'à {timezone.localtime(lock):%H:%M}. Réessayez plus tard ou "
                "demandez de l'aide à l'administrateur de la plateforme."
            )
    for device in devices:
        allowed, _ = device.verify_is_allowed()
        if allowed is False:
            raise SecondFactorRefused(
                "Code refusé : attendez quelques secondes avant un nouvel essai."
            )
    for device in devices:
        if device.verify_token(code):
            return device
    totp = next((d for d in devices if isinstance(d, TOTPDevice)), None)
    if totp is not None and _lock_ends(totp) is not None:
        raise SecondFactorRefused(
            f"Trop de codes erronés ({MAX_FAILURES} à la suite) : la vérification est bloquée "
            f"pendant {int(LOCK_DURATION.total_seconds() // 60)} minutes."
        )
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
    return Enrolment(device=device, recovery_codes=recovery_codes_renew(user=user))


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Codes de secours", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def totp_qr_svg(*, device: TOTPDevice) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


def totp_issuer() -> str:
    return settings.OTP_TOTP_ISSUER
