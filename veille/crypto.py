"""Encryption at rest (AES-256-GCM) with key identifiers, and keyed pseudonyms.

Why AES-GCM and not Fernet: Fernet tokens carry their creation time in clear, which would
leak when a report arrived to anyone holding a database dump.

Ciphertext layout (bytes)::

    b"V1" | len(key_id) (1 byte) | key_id (ascii) | nonce (12 bytes) | ciphertext+tag

The associated data binds a ciphertext to the column it belongs to, so a value copied
from one column into another fails to decrypt instead of being shown out of context.

Keys come from settings (``VEILLE_DATA_KEYS``: ``id:base64key`` pairs, newest first).
Encryption always uses the newest key; decryption accepts any listed key, which is what
makes rotation possible (``manage.py rotate_data_key`` re-encrypts under the newest).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ImproperlyConfigured

MAGIC = b"V1"
NONCE_BYTES = 12


class DecryptionError(Exception):
    """A ciphertext could not be opened: unknown key id, tampering, or wrong column."""


@dataclass(frozen=True)
class Keyring:
    """Ordered keys, newest first."""

    keys: tuple[tuple[str, bytes], ...]

    @property
    def current(self) -> tuple[str, bytes]:
        return self.keys[0]

    def get(self, key_id: str) -> bytes | None:
        for kid, key in self.keys:
            if kid == key_id:
                return key
        return None


def parse_keyring(spec: str, *, setting: str, key_bytes: int = 32) -> Keyring:
    """Parse ``id:base64,id:base64``; fail loudly on anything malformed."""
    if not spec.strip():
        raise ImproperlyConfigured(f"{setting} is empty: generate keys with `manage.py generate_keys`.")
    keys: list[tuple[str, bytes]] = []
    for part in spec.split(","):
        part = part.strip()
        if ":" not in part:
            raise ImproperlyConfigured(f"{setting}: each key must be written id:base64key.")
        kid, _, b64 = part.partition(":")
        kid = kid.strip()
        if not kid or len(kid) > 32 or not kid.isascii() or not kid.replace("-", "").replace("_", "").isalnum():
            raise ImproperlyConfigured(f"{setting}: key id {kid!r} must be 1-32 letters, digits, - or _.")
        try:
            key = base64.urlsafe_b64decode(b64.strip() + "=" * (-len(b64.strip()) % 4))
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured(f"{setting}: key {kid!r} is not valid base64.") from exc
        if len(key) != key_bytes:
            raise ImproperlyConfigured(f"{setting}: key {kid!r} must be {key_bytes} bytes, not {len(key)}.")
        if any(existing == kid for existing, _ in keys):
            raise ImproperlyConfigured(f"{setting}: key id {kid!r} appears twice.")
        keys.append((kid, key))
    return Keyring(tuple(keys))


def new_key_spec(key_id: str) -> str:
    return f"{key_id}:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip('=')}"


@lru_cache(maxsize=8)
def _data_keyring(spec: str) -> Keyring:
    return parse_keyring(spec, setting="VEILLE_DATA_KEYS")


@lru_cache(maxsize=8)
def _pseudonym_keyring(spec: str) -> Keyring:
    return parse_keyring(spec, setting="VEILLE_PSEUDONYM_KEYS")


def data_keyring() -> Keyring:
    from django.conf import settings

    return _data_keyring(settings.VEILLE_DATA_KEYS)


def pseudonym_keyring() -> Keyring:
    from django.conf import settings

    return _pseudonym_keyring(settings.VEILLE_PSEUDONYM_KEYS)


def encrypt(plaintext: bytes, *, context: str, keyring: Keyring | None = None) -> bytes:
    ring = keyring or data_keyring()
    kid, key = ring.current
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext, context.encode())
    kid_bytes = kid.encode("ascii")
    return MAGIC + bytes([len(kid_bytes)]) + kid_bytes + nonce + sealed


def key_id_of(ciphertext: bytes) -> str:
    if not ciphertext.startswith(MAGIC) or len(ciphertext) < 3:
        raise DecryptionError("not a Veille ciphertext")
    length = ciphertext[2]
    return ciphertext[3 : 3 + length].decode("ascii")


def decrypt(ciphertext: bytes, *, context: str, keyring: Keyring | None = None) -> bytes:
    ring = keyring or data_keyring()
    kid = key_id_of(bytes(ciphertext))
    key = ring.get(kid)
    if key is None:
        raise DecryptionError(f"unknown key id {kid!r}: was it removed before rotation finished?")
    offset = 3 + len(kid)
    nonce = ciphertext[offset : offset + NONCE_BYTES]
    sealed = ciphertext[offset + NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(bytes(nonce), bytes(sealed), context.encode())
    except Exception as exc:  # cryptography raises InvalidTag
        raise DecryptionError("ciphertext failed authentication") from exc


def encrypt_text(text: str, *, context: str) -> bytes:
    return encrypt(text.encode("utf-8"), context=context)


def decrypt_text(ciphertext: bytes, *, context: str) -> str:
    return decrypt(ciphertext, context=context).decode("utf-8")


def keyed_digest(value: str, *, key_id: str | None = None) -> str:
    """HMAC-SHA256 of ``value`` under the pseudonym key, written ``kid:hex``.

    Never a plain hash: Mali numbers have eight digits, a plain hash of one is reversed
    by enumeration in seconds.
    """
    ring = pseudonym_keyring()
    if key_id is None:
        kid, key = ring.current
    else:
        found = ring.get(key_id)
        if found is None:
            raise KeyError(key_id)
        kid, key = key_id, found
    digest = hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{kid}:{digest}"


def keyed_digest_candidates(value: str) -> list[str]:
    """The digest under every configured key, newest first: lookups during a rotation."""
    return [keyed_digest(value, key_id=kid) for kid, _ in pseudonym_keyring().keys]
