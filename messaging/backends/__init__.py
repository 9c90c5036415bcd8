"""SMS backends, chosen by ``settings.SMS_BACKEND`` as Django chooses its e-mail backend.

A backend is built once per process and path, then reused: the Twilio backend holds an
HTTP session, so consecutive sends share one TLS connection instead of a handshake each.
A backend whose constructor fails is not kept, so a corrected setting takes effect at the
next message. Changing ``SMS_BACKEND`` or any provider setting (tests do) drops the cache.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from messaging.backends.base import (
    BackendUnavailable,
    BaseSmsBackend,
    Lane,
    PermanentSendError,
    SendResult,
    TransientSendError,
)

__all__ = [
    "BackendUnavailable",
    "BaseSmsBackend",
    "Lane",
    "PermanentSendError",
    "SendResult",
    "TransientSendError",
    "get_backend",
]

_built: dict[str, BaseSmsBackend] = {}
_lock = threading.Lock()


def get_backend(path: str | None = None) -> BaseSmsBackend:
    """The backend at ``path`` (default ``settings.SMS_BACKEND``), built from settings.

    Raises whatever its constructor raises (``BackendUnavailable`` for a configuration
    it refuses, anything else for a bug): the caller decides what a failed build means.
    """
    path = path or settings.SMS_BACKEND
    backend = _built.get(path)
    if backend is None:
        with _lock:
            backend = _built.get(path)
            if backend is None:
                backend = import_string(path)()
                _built[path] = backend
    return backend


@receiver(setting_changed)
def _forget_built_backends(*, setting: str, **_kwargs: object) -> None:
    if setting == "SMS_BACKEND" or setting.startswith(("TWILIO_", "SMS_")):
        with _lock:
            _built.clear()
