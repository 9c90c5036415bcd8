"""Phone numbers: one canonical form for pseudonyms, and masking inside free text.

Residents write Mali numbers as "76 12 34 56", "76.12.34.56", "0022376123456" or
"+223 76123456"; every form must give the same pseudonym and every form must be masked.
"""

from __future__ import annotations

import re

import phonenumbers

from veille import crypto

DEFAULT_REGION = "ML"
MASK = "[numero masque]"

# Eight digits in pairs or fours separated by spaces, dots or dashes, optionally preceded
# by an international prefix: what phonenumbers may not recognise in sloppy text.
_LOOSE_NUMBER = re.compile(r"(?<![\w.\-])(?:(?:\+|00)\s?\d{3}[\s.\-]?)?(?:\d{2}[\s.\-]?){3}\d{2}(?![\w\-]|\.\d)")


def normalize_msisdn(raw: str, region: str = DEFAULT_REGION) -> str | None:
    """E.164 form of ``raw``, or None when it is not a phone number at all."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def pseudonym_for(raw_number: str) -> str:
    """Keyed pseudonym of a phone number (HMAC-SHA256 under the newest pseudonym key)."""
    canonical = normalize_msisdn(raw_number) or raw_number.strip()
    return crypto.keyed_digest(canonical)


def pseudonym_of_canonical(canonical: str) -> str:
    """``pseudonym_for`` of a number already canonical (what ``normalize_msisdn`` returned,
    or the stripped raw string when it returned None): the same digest without parsing the
    number a second time (a phonenumbers parse is a tenth of a webhook's own CPU cost)."""
    return crypto.keyed_digest(canonical)


def pseudonym_candidates(raw_number: str) -> list[str]:
    """Pseudonyms under every configured key, newest first, for lookups mid-rotation."""
    canonical = normalize_msisdn(raw_number) or raw_number.strip()
    return crypto.keyed_digest_candidates(canonical)


def mask_phone_numbers(text: str, region: str = DEFAULT_REGION) -> str:
    """Replace every phone number found in ``text`` by a neutral mask."""
    if not text:
        return text
    spans: list[tuple[int, int]] = []
    for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
        spans.append((match.start, match.end))
    for match in _LOOSE_NUMBER.finditer(text):
        spans.append((match.start(), match.end()))
    if not spans:
        return text
    spans.sort()
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out: list[str] = []
    cursor = 0
    for start, end in merged:
        out.append(text[cursor:start])
        out.append(MASK)
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def number_variants(e164: str) -> list[str]:
    """Ways a number may be written; tests search stored bytes for every one of them."""
    national = e164.removeprefix("+223")
    pairs = " ".join(national[i : i + 2] for i in range(0, len(national), 2))
    return [e164, e164.lstrip("+"), "00" + e164.lstrip("+"), national, pairs, pairs.replace(" ", ".")]
