"""SMS backends, chosen by ``settings.SMS_BACKEND`` as Django chooses its e-mail backend."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from messaging.backends.base import BaseSmsBackend, PermanentSendError, SendResult, TransientSendError

__all__ = ["BaseSmsBackend", "PermanentSendError", "SendResult", "TransientSendError", "get_backend"]


def get_backend(path: str | None = None) -> BaseSmsBackend:
    return import_string(path or settings.SMS_BACKEND)()
