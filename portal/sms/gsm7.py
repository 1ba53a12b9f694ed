"""GSM 03.38 (GSM-7) text: what fits one SMS, and how to make French text fit.

An SMS carries 140 bytes: 160 characters of the GSM-7 default alphabet, or 70 in UCS-2 as
soon as one character is outside it. A longer text is cut into concatenated segments of 153
GSM-7 (67 UCS-2) characters, the rest of each being the header. Characters of the extension
table (€, [, ], ...) take two places. Providers bill per segment (issue 28: reminders billed
as two SMS because of accents), so texts are transliterated to GSM-7 before they are counted
and sent: "é" is in the alphabet, "ê", "ç", "œ" and typographic quotes are not.
"""

import unicodedata

# 3GPP TS 23.038, 6.2.1: the default alphabet (one septet each).
BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# 3GPP TS 23.038, 6.2.1.1: the extension table (an escape septet, then the character).
EXTENDED = set("\f^{}\\[~]|€")

SINGLE_SEGMENT = {"gsm7": 160, "ucs2": 70}
# 3GPP TS 23.040, 9.2.3.24.1: a 6-byte concatenation header leaves 153 septets (67 UCS-2).
MULTI_SEGMENT = {"gsm7": 153, "ucs2": 67}

# French characters outside GSM-7 and their nearest GSM-7 spelling.
TRANSLITERATION = {
    "à": "à",
    "â": "a",
    "ä": "ä",
    "ç": "c",
    "ê": "e",
    "ë": "e",
    "î": "i",
    "ï": "i",
    "ô": "o",
    "ö": "ö",
    "û": "u",
    "ü": "ü",
    "ÿ": "y",
    "À": "A",
    "Â": "A",
    "È": "E",
    "Ê": "E",
    "Ë": "E",
    "Î": "I",
    "Ï": "I",
    "Ô": "O",
    "Ù": "U",
    "Û": "U",
    "Ÿ": "Y",
    "œ": "oe",
    "Œ": "OE",
    "æ": "æ",
    "’": "'",
    "‘": "'",
    "«": '"',
    "»": '"',
    "“": '"',
    "”": '"',
    "–": "-",
    "—": "-",
    "…": "...",
    "\u00a0": " ",  # no-break space (French typography before ":" and "?")
    "\u202f": " ",  # narrow no-break space
    "\t": " ",
}


def gsm7_transliterate(text: str) -> str:
    """``text`` in the GSM-7 alphabet: French letters outside it lose their accent, other
    characters lose their marks (NFKD) or become "?"."""
    out = []
    for char in text:
        if char in BASIC or char in EXTENDED:
            out.append(char)
        elif char in TRANSLITERATION:
            out.append(TRANSLITERATION[char])
        else:
            plain = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            )
            out.append(plain if plain and all(c in BASIC for c in plain) else "?")
    return "".join(out)


def is_gsm7(text: str) -> bool:
    return all(char in BASIC or char in EXTENDED for char in text)


def sms_length(text: str) -> tuple[str, int]:
    """The encoding an SMS of ``text`` needs and its length in that encoding's units."""
    if is_gsm7(text):
        return "gsm7", sum(2 if char in EXTENDED else 1 for char in text)
    # UCS-2 counts UTF-16 code units: a character beyond the BMP (an emoji) takes two.
    return "ucs2", len(text.encode("utf-16-le")) // 2


def sms_segments(text: str) -> int:
    """How many SMS a provider sends (and bills) for ``text``."""
    encoding, length = sms_length(text)
    if length <= SINGLE_SEGMENT[encoding]:
        return 1
    per_segment = MULTI_SEGMENT[encoding]
    return -(-length // per_segment)
