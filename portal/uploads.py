"""Checks on files that citizens and agents upload (SVE requests, appointments).

A file is judged by its content, not its name: the type is read from its first bytes
(``filetype``), must be one the form allows, and must agree with the file's extension.
"""

from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError

from portal.formats import file_size

# Types accepted by default: documents and photos a citizen typically sends.
DEFAULT_ALLOWED_TYPES = {
    "application/pdf": ("pdf",),
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
}
TYPE_LABELS = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}


@dataclass(frozen=True)
class CheckedUpload:
    name: str
    content_type: str
    size: int


def max_upload_bytes() -> int:
    return getattr(settings, "UPLOAD_MAX_BYTES", 10 * 1024 * 1024)


def upload_check(
    uploaded,
    *,
    allowed_types: dict[str, tuple[str, ...]] | None = None,
    max_bytes: int | None = None,
) -> CheckedUpload:
    """Validate an uploaded file; raise ValidationError with a French message otherwise."""
    allowed = allowed_types or DEFAULT_ALLOWED_TYPES
    limit = max_bytes or max_upload_bytes()
    if uploaded.size == 0:
        raise ValidationError(
            "Le fichier « %(name)s » est vide.", params={"name": uploaded.name}, code="empty"
        )
    if uploaded.size > limit:
        raise ValidationError(
            "Le fichier « %(name)s » dépasse la taille maximale de %(limit)s.",
            params={"name": uploaded.name, "limit": file_size(limit)},
            code="too_large",
        )
    position = uploaded.tell() if hasattr(uploaded, "tell") else 0
    head = uploaded.read(8192)
    uploaded.seek(position)
    kind = filetype.guess(head)
    accepted = ", ".join(sorted({TYPE_LABELS.get(mime, mime) for mime in allowed}))
    if kind is None or kind.mime not in allowed:
        raise ValidationError(
            "Le fichier « %(name)s » n'est pas d'un type accepté (%(accepted)s).",
            params={"name": uploaded.name, "accepted": accepted},
            code="bad_type",
        )
    extension = uploaded.name.rsplit(".", 1)[-1].lower() if "." in uploaded.name else ""
    if extension not in allowed[kind.mime]:
        raise ValidationError(
            "Le nom du fichier « %(name)s » ne correspond pas à son contenu (%(kind)s).",
            params={"name": uploaded.name, "kind": TYPE_LABELS.get(kind.mime, kind.mime)},
            code="disguised",
        )
    return CheckedUpload(name=uploaded.name, content_type=kind.mime, size=uploaded.size)


def detected_content_type(content: bytes) -> str:
    """The MIME type read from a file's first bytes, never the one the browser sent (issue 8):
    this is what files are served back with."""
    kind = filetype.guess(content[:8192])
    return kind.mime if kind is not None else "application/octet-stream"
