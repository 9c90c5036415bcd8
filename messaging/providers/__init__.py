"""The SMS providers, one folder each (``messaging/providers/<name>/``).

A provider folder holds its inbound webhook and URLs (``webhook.py``, ``urls.py``), its
outbound backend (``backend.py``), and its tables of delivery statuses and permanent
errors (``statuses.py``). Its ``__init__`` declares ``PROVIDER``. Everything after the
webhook is provider-blind: ``messaging.services`` stores what arrives and sends what is
queued through whichever backend the route names, and learns provider facts (this error
is an opt-out, this backend can delete its copy) only through the backend interface.

Adding a provider: a folder here, its name in ``KNOWN``, and its name in the deployment's
``SMS_PROVIDERS`` (see docs/architecture.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

# Every provider folder, in the order their URLs are mounted under /channels/<name>/.
KNOWN = ("twilio", "android")


@dataclass(frozen=True)
class Provider:
    name: str
    # Dotted path of the outbound SMS backend ("" for a provider that only receives).
    backend: str
    # Dotted path of the URL module mounted at /channels/<name>/.
    urls: str


@cache
def provider(name: str) -> Provider:
    if name not in KNOWN:
        raise KeyError(name)
    return import_string(f"messaging.providers.{name}.PROVIDER")


def enabled(name: str) -> bool:
    return name in settings.SMS_PROVIDERS
