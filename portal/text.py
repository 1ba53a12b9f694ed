"""Text helpers for searching: PostgreSQL here has no unaccent extension, so searchable text
is stored with a normalised copy (lower case, no accents, words separated by single spaces)
and queries are normalised the same way."""

import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def search_key(text: str) -> str:
    """ "L'Abergement-Clémenciat" -> "l abergement clemenciat"; "Œuilly" -> "oeuilly"."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", ascii_text.lower()).strip()


def slug_suggest(name: str) -> str:
    """A host-safe identifier from a commune's name: "Puy-Saint-André" -> "puy-saint-andre"."""
    return search_key(name).replace(" ", "-")[:50].strip("-")
