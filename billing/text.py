"""Text for machine files: the PES accepts upper-case ASCII in its labels."""

import unicodedata


def ascii_upper(text: str) -> str:
    """ "Lavérune — Œuvre" -> "LAVERUNE - OEUVRE"."""
    text = text.replace("Œ", "OE").replace("œ", "oe").replace("Æ", "AE").replace("æ", "ae")
    text = text.replace("—", "-").replace("–", "-").replace("’", "'").replace("\u202f", " ")
    text = text.replace("\u00a0", " ")
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(folded.upper().split())
