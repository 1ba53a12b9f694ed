"""The request's source address, for the audit entries recorded while serving it."""

import contextvars

_client_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_ip", default=None)


def client_ip() -> str | None:
    return _client_ip.get()


class AuditContextMiddleware:
    """Remembers the request's source address (REMOTE_ADDR: the proxy in front sets it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _client_ip.set(request.META.get("REMOTE_ADDR") or None)
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(token)
