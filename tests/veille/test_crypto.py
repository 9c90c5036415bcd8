from __future__ import annotations

import base64

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from veille import crypto

KEY_A = "a1:" + base64.urlsafe_b64encode(b"a" * 32).decode().rstrip("=")
KEY_B = "b1:" + base64.urlsafe_b64encode(b"b" * 32).decode().rstrip("=")


def test_it_round_trips_and_names_the_key():
    sealed = crypto.encrypt(b"attaque a Boni", context="x.Y.z")

    assert crypto.key_id_of(sealed) == "t2"
    assert b"attaque" not in sealed
    assert crypto.decrypt(sealed, context="x.Y.z") == b"attaque a Boni"


def test_it_uses_a_fresh_nonce_each_time():
    assert crypto.encrypt(b"same", context="c") != crypto.encrypt(b"same", context="c")


def test_it_refuses_a_ciphertext_moved_to_another_column():
    sealed = crypto.encrypt(b"secret", context="reporting.Report.description")

    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(sealed, context="messaging.OutboundMessage.body")


def test_it_refuses_a_tampered_ciphertext():
    sealed = bytearray(crypto.encrypt(b"secret", context="c"))
    sealed[-1] ^= 1

    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(bytes(sealed), context="c")


def test_it_decrypts_with_an_older_key_after_rotation():
    with override_settings(VEILLE_DATA_KEYS=KEY_A):
        sealed = crypto.encrypt(b"old", context="c")
    with override_settings(VEILLE_DATA_KEYS=f"{KEY_B},{KEY_A}"):
        assert crypto.decrypt(sealed, context="c") == b"old"
        assert crypto.key_id_of(crypto.encrypt(b"new", context="c")) == "b1"


def test_it_fails_clearly_when_a_key_was_removed_too_early():
    with override_settings(VEILLE_DATA_KEYS=KEY_A):
        sealed = crypto.encrypt(b"old", context="c")
    with override_settings(VEILLE_DATA_KEYS=KEY_B), pytest.raises(crypto.DecryptionError, match="unknown key id"):
        crypto.decrypt(sealed, context="c")


@pytest.mark.parametrize(
    "spec, message",
    [
        ("", "empty"),
        ("nokey", "id:base64key"),
        ("k1:" + base64.urlsafe_b64encode(b"short").decode(), "must be 32 bytes"),
        (f"{KEY_A},{KEY_A}", "appears twice"),
        ("bad id!:" + "A" * 43, "key id"),
    ],
)
def test_it_rejects_malformed_keyrings(spec, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        crypto.parse_keyring(spec, setting="VEILLE_DATA_KEYS")


def test_it_keys_pseudonyms_so_a_plain_hash_cannot_reverse_them():
    import hashlib

    digest = crypto.keyed_digest("+22376123456")

    assert digest.startswith("p1:")
    assert digest.split(":")[1] != hashlib.sha256(b"+22376123456").hexdigest()
    assert digest == crypto.keyed_digest("+22376123456")
