"""Model fields whose values are encrypted before they reach the database.

The column holds only ciphertext (see ``veille.crypto``); Python code reads and writes
plain values. The associated data is ``app_label.Model.field``, so a ciphertext moved to
another column does not open. Such fields cannot be filtered on: search goes through
keyed digests (pseudonyms) instead.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from veille import crypto


class _EncryptedMixin:
    """Shared encrypt/decrypt plumbing; subclasses convert to and from bytes."""

    def _context(self) -> str:
        return f"{self.model._meta.label}.{self.name}"  # type: ignore[attr-defined]

    def to_bytes(self, value: Any) -> bytes:
        raise NotImplementedError

    def from_bytes(self, raw: bytes) -> Any:
        raise NotImplementedError

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is None:
            return None
        sealed = crypto.encrypt(self.to_bytes(value), context=self._context())
        return connection.Database.Binary(sealed)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        return self.from_bytes(crypto.decrypt(bytes(value), context=self._context()))

    def to_python(self, value: Any) -> Any:
        return value

    def get_internal_type(self) -> str:
        return "BinaryField"


class EncryptedTextField(_EncryptedMixin, models.BinaryField):
    description = "Text encrypted at rest"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def to_bytes(self, value: Any) -> bytes:
        return str(value).encode("utf-8")

    def from_bytes(self, raw: bytes) -> str:
        return raw.decode("utf-8")


class EncryptedBinaryField(_EncryptedMixin, models.BinaryField):
    description = "Bytes encrypted at rest"

    def to_bytes(self, value: Any) -> bytes:
        return bytes(value)

    def from_bytes(self, raw: bytes) -> bytes:
        return raw


class EncryptedJSONField(_EncryptedMixin, models.BinaryField):
    description = "JSON encrypted at rest"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def to_bytes(self, value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def from_bytes(self, raw: bytes) -> Any:
        return json.loads(raw.decode("utf-8"))


ENCRYPTED_FIELD_TYPES = (EncryptedTextField, EncryptedBinaryField, EncryptedJSONField)
