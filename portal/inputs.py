"""What visitors send, refused or parsed at one depth.

- ``InputMiddleware`` (first in MIDDLEWARE): a body larger than the portal takes is refused
  with 413 before it is read (issue 22: a 120 MB upload was read whole, then refused); a NUL
  byte or a lone surrogate anywhere in the path, the query, the cookies, the headers, a form
  field or a JSON body is refused with 400 before any view or PostgreSQL sees
  it (PostgreSQL stores neither: 24 pages and API answered 500); a JSON body nested deeper
  than ``JSON_MAX_DEPTH`` is refused with 400 (5,000 levels overflowed Python's stack).
- ``number()``: the one parser of numbers typed or posted by visitors: ASCII digits within
  bounds, else None (``"²".isdigit()`` is true and ``int("٣")`` is 3; ``int()`` of 5,000
  digits raises).
"""

import json
import re

from django.conf import settings
from django.http import HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string

# PostgreSQL's bigint: a row id beyond it cannot exist (and would fail the query).
ROW_ID_MAX = 2**63 - 1
# Deeper than any body the API documents (3 levels); far below Python's recursion limit.
JSON_MAX_DEPTH = 32

INVALID_TEXT = (
    "La requête contient un caractère invalide (caractère nul ou demi-caractère Unicode "
    "isolé) : elle est refusée."
)
TOO_DEEP = f"Le contenu JSON est trop imbriqué (plus de {JSON_MAX_DEPTH} niveaux)."
TOO_LARGE = "Le contenu envoyé est trop volumineux ({size} au plus) : il est refusé."

_SURROGATE_OR_NUL = re.compile("[\x00\ud800-\udfff]")
# A JSON string (escapes included) or a bracket outside strings.
_JSON_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)
_JSON_ESCAPE = re.compile(rb"\\(?:u([0-9a-fA-F]{4})|.)", re.DOTALL)


def number(value, *, low: int, high: int) -> int | None:
    """``value`` (a str, or what str() gives) as an int within [low, high], or None: not
    plain ASCII digits (``"²"``, ``"٣"``, ``"-1"``, ``"1e3"``, ``"+3"``), or out of bounds.
    Surrounding spaces are ignored."""
    text = str(value if value is not None else "").strip()
    if not text or len(text) > max(20, len(str(high))):
        return None
    if not (text.isascii() and text.isdigit()):
        return None
    parsed = int(text)
    return parsed if low <= parsed <= high else None


def row_id(value) -> int | None:
    """A row id ("12"), or None: not plain ASCII digits, zero, or beyond any id."""
    return number(value, low=1, high=ROW_ID_MAX)


def text_refused(text: str) -> bool:
    """Whether ``text`` holds a NUL or a surrogate code point (only a lone one can reach a
    Python string from UTF-8 or JSON): neither can be stored by PostgreSQL."""
    return _SURROGATE_OR_NUL.search(text) is not None


def _escapes_refused(token: bytes) -> bool:
    """Whether a JSON string token escapes a NUL or a lone surrogate (``"\\u0000"``,
    ``"\\ud800"``); an escaped backslash followed by "u0000" is plain text."""
    high_ends_at = None  # where an escaped high surrogate ended, awaiting its low half
    for escape in _JSON_ESCAPE.finditer(token):
        code = int(escape[1], 16) if escape[1] else None
        if high_ends_at is not None:
            if code is None or escape.start() != high_ends_at or not 0xDC00 <= code <= 0xDFFF:
                return True
            high_ends_at = None
        elif code == 0 or (code is not None and 0xDC00 <= code <= 0xDFFF):
            return True
        elif code is not None and 0xD800 <= code <= 0xDBFF:
            high_ends_at = escape.end()
    return high_ends_at is not None


def json_refusal(raw: bytes) -> str | None:
    """Why a JSON body is refused (a French message), or None: a NUL or lone surrogate,
    raw or escaped, or nesting deeper than JSON_MAX_DEPTH. One pass, without parsing: the
    JSON parser itself recurses, and would overflow before it could refuse."""
    if b"\x00" in raw:
        return INVALID_TEXT
    depth = 0
    for token in _JSON_TOKEN.finditer(raw):
        text = token[0]
        if text[0] == ord('"'):
            if b"\\u" in text and _escapes_refused(text):
                return INVALID_TEXT
        elif text in (b"[", b"{"):
            depth += 1
            if depth > JSON_MAX_DEPTH:
                return TOO_DEEP
        else:
            depth -= 1
    return None


def json_loads(raw: bytes | str):
    """``json.loads`` of a visitor's JSON, refusing first (ValueError with a French
    message) what ``json_refusal`` refuses: for JSON carried inside a form field."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    reason = json_refusal(raw)
    if reason:
        raise ValueError(reason)
    return json.loads(raw)


def _is_json(request) -> bool:
    content_type = request.content_type or ""
    return content_type == "application/json" or content_type.endswith("+json")


def _form_refused(request) -> bool:
    """Whether a posted form field or its name holds refused text (Django drops what is not
    printable from a file's name)."""
    if request.method == "POST":
        return _pairs_refused(request.POST.lists())
    if request.content_type == "application/x-www-form-urlencoded":
        return _pairs_refused(QueryDict(request.body).lists())
    return False


def _pairs_refused(pairs) -> bool:
    """Whether a name or one of its values, in (name, [values]) pairs, holds refused text."""
    return any(
        text_refused(key) or any(text_refused(value) for value in values) for key, values in pairs
    )


def _refusal(request) -> tuple[int, str] | None:
    """The status and French message a request is refused with, or None."""
    length = number(request.META.get("CONTENT_LENGTH"), low=0, high=10**18) or 0
    limit = settings.API_JSON_MAX_BYTES if _is_json(request) else settings.REQUEST_MAX_BYTES
    if length > limit:
        from django.template.defaultfilters import filesizeformat

        return 413, TOO_LARGE.format(size=filesizeformat(limit))
    if text_refused(request.path_info) or text_refused(request.META.get("QUERY_STRING", "")):
        return 400, INVALID_TEXT
    # WSGI gives headers as latin-1 text: a NUL arrives as is (cookies are decoded below).
    if any(
        text_refused(value)
        for key, value in request.META.items()
        if key.startswith("HTTP_") and isinstance(value, str)
    ):
        return 400, INVALID_TEXT
    if _pairs_refused(request.GET.lists()) or _pairs_refused(
        (key, [value]) for key, value in request.COOKIES.items()
    ):
        return 400, INVALID_TEXT
    if length and _is_json(request):
        reason = json_refusal(request.body)
        return (400, reason) if reason else None
    if length:
        try:
            refused = _form_refused(request)
        except MultiPartParserError:
            return None  # Django answers 400 when the view reads it
        if refused:
            return 400, INVALID_TEXT
    return None


def refused_response(request, status: int, message: str) -> HttpResponse:
    """The refusal: JSON under /api/, else a short page in French."""
    if request.path_info.startswith("/api/"):
        code = "too_large" if status == 413 else "invalid"
        return JsonResponse({"detail": message, "code": code}, status=status)
    html = render_to_string("portal/refused_input.html", {"message": message, "status": status})
    return HttpResponse(html, status=status)


class InputMiddleware:
    """First in MIDDLEWARE: refuses what no view may be given (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = _refusal(request)
        if refusal is not None:
            return refused_response(request, *refusal)
        return self.get_response(request)
