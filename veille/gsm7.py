"""GSM 03.38 (GSM-7) alphabet: which texts fit one SMS segment or one USSD screen."""

from __future__ import annotations

import math

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = "^{}\\[~]|€\f"
_BASIC = set(GSM7_BASIC)
_EXTENDED = set(GSM7_EXTENDED)

SINGLE_SEGMENT_GSM7 = 160
MULTI_SEGMENT_GSM7 = 153
SINGLE_SEGMENT_UCS2 = 70
MULTI_SEGMENT_UCS2 = 67
USSD_SCREEN_LIMIT = 182


def is_gsm7(text: str) -> bool:
    return all(ch in _BASIC or ch in _EXTENDED for ch in text)


def gsm7_length(text: str) -> int:
    """Septets used: extended characters take two (escape + character)."""
    return sum(2 if ch in _EXTENDED else 1 for ch in text)


def segment_count(text: str) -> int:
    if is_gsm7(text):
        length = gsm7_length(text)
        if length <= SINGLE_SEGMENT_GSM7:
            return 1
        return math.ceil(length / MULTI_SEGMENT_GSM7)
    # UCS-2 counts UTF-16 code units.
    length = len(text.encode("utf-16-le")) // 2
    if length <= SINGLE_SEGMENT_UCS2:
        return 1
    return math.ceil(length / MULTI_SEGMENT_UCS2)


_FOLD = str.maketrans(
    {
        "ê": "e",
        "ë": "e",
        "ô": "o",
        "î": "i",
        "ï": "i",
        "ç": "c",
        "â": "a",
        "û": "u",
        "Ê": "E",
        "Ô": "O",
        "Î": "I",
        "Â": "A",
        "Û": "U",
        "È": "E",
        "À": "A",
        "Ù": "U",
        "œ": "oe",
        "Œ": "OE",
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "«": '"',
        "»": '"',
        "–": "-",
        "—": "-",
        "…": "...",
        "\u00a0": " ",
        "ɛ": "e",
        "Ɛ": "E",
        "ɔ": "o",
        "Ɔ": "O",
        "ɲ": "ny",
        "Ɲ": "Ny",
        "ŋ": "ng",
        "Ŋ": "Ng",
    }
)


def to_gsm7(text: str) -> str:
    """Fold characters outside GSM-7 to their nearest GSM-7 form (ç -> c, ɛ -> e, ...).

    Used on dynamic text (place names, summaries) so that one stray character never
    turns a one-segment SMS into three.
    """
    folded = text.translate(_FOLD)
    return "".join(ch if (ch in _BASIC or ch in _EXTENDED) else "?" for ch in folded)
