"""Checks on a commune's look: its primary colour must keep white text readable, its logo
must be a real, reasonably sized image."""

import io
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

from portal.formats import file_size

HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
# WCAG 2.1 SC 1.4.3 (AA): normal text needs a contrast ratio of at least 4.5:1.
WCAG_AA_NORMAL_TEXT = 4.5

LOGO_MAX_BYTES = 1024 * 1024
LOGO_MIN_SIDE = 32
LOGO_MAX_SIDE = 2000
# Raster formats only: an SVG can carry scripts. Pillow's format name -> MIME type.
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}


def _channel(value: int) -> float:
    # WCAG 2.1 definition of relative luminance (sRGB linearisation).
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(color: str) -> float:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.1 contrast ratio between two "#rrggbb" colours, from 1 to 21."""
    lighter, darker = sorted(
        (relative_luminance(foreground), relative_luminance(background)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)


def primary_color_check(color: str) -> str:
    """The colour, lower-cased, if white text on it meets WCAG AA; else a French error."""
    if not HEX_COLOR.match(color or ""):
        raise ValidationError(
            "Indiquez une couleur au format hexadécimal, par exemple #1d4e89.", code="format"
        )
    ratio = contrast_ratio("#ffffff", color)
    if ratio < WCAG_AA_NORMAL_TEXT:
        raise ValidationError(
            "Le texte blanc sur la couleur %(color)s n'a qu'un contraste de %(ratio)s:1 ; "
            "le niveau AA du RGAA / WCAG 2.1 exige au moins 4,5:1 pour un texte courant. "
            "Choisissez une couleur plus foncée.",
            params={"color": color.lower(), "ratio": f"{ratio:.2f}".replace(".", ",")},
            code="contrast",
        )
    return color.lower()


def _mix(color: str, other: str, weight: float) -> str:
    """``color`` mixed with ``other`` (weight = share of ``other``), as "#rrggbb"."""
    a = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * weight):02x}" for x, y in zip(a, b, strict=True))


# The lightest backgrounds the stylesheet puts the commune's colour on (portal.css:
# --surface-alt and the tint of callouts and hovered buttons).
SURFACE_ALT = "#f4f5f7"


def theme_palette(color: str) -> dict[str, str]:
    """The CSS variables of a commune's theme (static/portal/portal.css), computed from its
    primary colour so that every pairing the stylesheet uses stays WCAG AA (4.5:1):
    white on ``primary`` and ``primary_hover``, ``primary_text`` on white, on
    ``primary_tint`` and on the grey surface."""
    primary = color.lower()
    hover = _mix(primary, "#000000", 0.2)
    tint = _mix(primary, "#ffffff", 0.9)
    text = primary
    for step in range(1, 21):
        if (
            min(contrast_ratio(text, tint), contrast_ratio(text, SURFACE_ALT))
            >= WCAG_AA_NORMAL_TEXT
        ):
            break
        text = _mix(primary, "#000000", step * 0.05)
    return {
        "primary": primary,
        "primary-hover": hover,
        "primary-tint": tint,
        "primary-text": text,
    }


@dataclass(frozen=True)
class CheckedLogo:
    content: bytes
    content_type: str
    width: int
    height: int


def logo_check(uploaded) -> CheckedLogo:
    """Read an uploaded logo; PNG, JPEG or WebP only (by content), at most 1 MB, sides
    between 32 and 2000 pixels. Raises a French ValidationError otherwise."""
    if uploaded.size > LOGO_MAX_BYTES:
        raise ValidationError(
            "Le logo dépasse la taille maximale de %(limit)s.",
            params={"limit": file_size(LOGO_MAX_BYTES)},
            code="too_large",
        )
    content = uploaded.read()
    try:
        # Pillow reads only the header here: the dimensions are checked before anything is
        # decoded. Its decompression-bomb guard refuses the largest at this step already
        # (issue 8: a 20000 × 20000 PNG answered 500).
        with Image.open(io.BytesIO(content)) as image:
            image_format = image.format
            width, height = image.size
    except Image.DecompressionBombError as exc:
        raise _too_big() from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _unreadable() from exc
    if image_format not in LOGO_FORMATS:
        raise ValidationError(
            "Le logo doit être une image PNG, JPEG ou WebP (les SVG ne sont pas acceptés).",
            code="bad_type",
        )
    if not (LOGO_MIN_SIDE <= width <= LOGO_MAX_SIDE and LOGO_MIN_SIDE <= height <= LOGO_MAX_SIDE):
        raise ValidationError(
            "Le logo mesure %(width)s × %(height)s pixels ; chaque côté doit mesurer entre "
            "%(min)s et %(max)s pixels.",
            params={"width": width, "height": height, "min": LOGO_MIN_SIDE, "max": LOGO_MAX_SIDE},
            code="dimensions",
        )
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _unreadable() from exc
    return CheckedLogo(content, LOGO_FORMATS[image_format], width, height)


def _too_big() -> ValidationError:
    return ValidationError(
        "Le logo est bien trop grand (en pixels) : chaque côté doit mesurer au plus "
        "%(max)s pixels.",
        params={"max": LOGO_MAX_SIDE},
        code="dimensions",
    )


def _unreadable() -> ValidationError:
    return ValidationError(
        "Ce fichier n'est pas une image lisible (PNG, JPEG ou WebP).", code="bad_type"
    )
