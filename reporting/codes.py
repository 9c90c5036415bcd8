"""Receipt codes and references: short, and made of characters nobody confuses.

No O/0, I/1/L, S/5, B/8, Z/2: a resident copies the code by hand from a feature phone.
"""

from __future__ import annotations

import secrets

from veille.crypto import keyed_digest, keyed_digest_candidates

ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
# 25**10 = 9.5e13 codes. Six (244 million) let a guesser at the global cap find tens of
# live codes a day; ten make it about one in years (docs/security.md, "Receipt codes").
RECEIPT_LENGTH = 10
RECEIPT_GROUP = 5  # shown as two groups of five: "K7M2Q XT4PA"
REFERENCE_LENGTH = 4


def random_code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalize_code(raw: str) -> str:
    """Forgive case, spaces and dashes: 'k7m-2qx' -> 'K7M2QX'."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


# A phone keypad's letters: a voice caller types a code by pressing, for each character,
# the key that carries it ("K7M2..." -> "5762..."). Eight keys for 25 characters: the
# keypad form has 8**10 = 1.07e9 values, searched with the same limits as codes
# (docs/security.md, "Receipt codes typed on a keypad").
KEYPAD = {
    **{
        ch: key
        for key, letters in {"2": "ABC", "3": "DEF", "4": "GHI", "5": "JKL", "6": "MNO"}.items()
        for ch in letters
    },
    **{ch: key for key, letters in {"7": "PQRS", "8": "TUV", "9": "WXYZ"}.items() for ch in letters},
    **{digit: digit for digit in "0123456789"},
}


def keypad_form(code: str) -> str:
    """The keys a caller presses for ``code``: 'K7M2Q' -> '57627'."""
    return "".join(KEYPAD.get(ch, "") for ch in normalize_code(code))


def keypad_digest(code: str) -> str:
    return keyed_digest(f"receipt-keys:{keypad_form(code)}")


def keypad_digest_candidates(keys: str) -> list[str]:
    """Digests of a keypad form as typed (digits only), under every pseudonym key."""
    return keyed_digest_candidates(f"receipt-keys:{keys}")


def receipt_digest(code: str) -> str:
    return keyed_digest(f"receipt:{normalize_code(code)}")


def receipt_digest_candidates(code: str) -> list[str]:
    return keyed_digest_candidates(f"receipt:{normalize_code(code)}")
