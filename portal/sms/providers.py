"""The SMS provider interface and its implementation for Brevo's transactional SMS API
(https://developers.brevo.com/reference/sendtransacsms: ``POST /v3/transactionalSMS/sms``
with an ``api-key`` header; the answer gives ``messageId`` and ``smsCount``; delivery
events are posted to the ``webUrl`` given with each SMS).

Configured by environment variables (portal/settings.py): ``SMS_API_KEY`` (none: no SMS,
e-mail only), ``SMS_API_URL`` (Brevo's, or the stand-in's on loopback), ``SMS_SENDER``,
``SMS_EVENTS_URL`` (where the provider reports delivery and "STOP" replies).
"""

import threading
from dataclasses import dataclass
from typing import Protocol

import requests
from django.conf import settings


@dataclass(frozen=True)
class Sent:
    provider_ref: str
    segments: int | None  # as the provider counted them, when it says


class ProviderError(Exception):
    """The provider did not take the SMS. ``temporary``: worth retrying later (network,
    5xx, rate limit); otherwise the request itself was refused (bad number...)."""

    def __init__(self, message: str, *, temporary: bool):
        super().__init__(message)
        self.temporary = temporary


class SmsProvider(Protocol):
    def send(self, *, to: str, text: str, tag: str) -> Sent:
        """Hand one SMS to the provider; raise ProviderError if it did not take it."""


class BrevoProvider:
    PATH = "/v3/transactionalSMS/sms"

    def __init__(self, *, api_url: str, api_key: str, sender: str, events_url: str = ""):
        self.url = api_url.rstrip("/") + self.PATH
        self.api_key = api_key
        self.sender = sender
        self.events_url = events_url
        self._local = threading.local()

    def _session(self) -> requests.Session:
        # One keep-alive connection per thread (a worker sends thousands in a tick).
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def send(self, *, to: str, text: str, tag: str) -> Sent:
        payload = {
            "sender": self.sender,
            "recipient": to.lstrip("+"),  # international format, no "+" (Brevo's docs)
            "content": text,
            "type": "transactional",
            "tag": tag,
            "unicodeEnabled": False,  # texts are GSM-7 (portal/sms/gsm7.py)
        }
        if self.events_url:
            payload["webUrl"] = self.events_url
        try:
            response = self._session().post(
                self.url,
                json=payload,
                headers={"api-key": self.api_key, "accept": "application/json"},
                timeout=settings.SMS_TIMEOUT_SECONDS,
            )
        except requests.RequestException as exc:
            raise ProviderError(f"provider out of reach: {exc}", temporary=True) from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise ProviderError(f"provider error {response.status_code}", temporary=True)
        if response.status_code >= 400:
            raise ProviderError(
                f"refused ({response.status_code}): {response.text[:150]}", temporary=False
            )
        body = response.json()
        return Sent(provider_ref=str(body.get("messageId", "")), segments=body.get("smsCount"))


_provider: tuple[tuple, SmsProvider | None] | None = None


def sms_provider() -> SmsProvider | None:
    """The configured provider, or None when no key is set (then e-mail only)."""
    global _provider
    config = (
        settings.SMS_API_KEY,
        settings.SMS_API_URL,
        settings.SMS_SENDER,
        settings.SMS_EVENTS_URL,
    )
    if _provider is None or _provider[0] != config:
        provider = None
        if settings.SMS_API_KEY:
            provider = BrevoProvider(
                api_url=settings.SMS_API_URL,
                api_key=settings.SMS_API_KEY,
                sender=settings.SMS_SENDER,
                events_url=settings.SMS_EVENTS_URL,
            )
        _provider = (config, provider)
    return _provider[1]
