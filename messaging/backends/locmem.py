"""In-memory backend for tests: ``outbox`` holds what would have been sent."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from messaging.backends.base import BaseSmsBackend, SendResult


@dataclass(frozen=True)
class SentSms:
    to: str
    body: str
    provider_message_id: str


outbox: list[SentSms] = []
deleted_copies: list[str] = []
_counter = itertools.count(1)


class LocmemBackend(BaseSmsBackend):
    name = "locmem"

    def send(self, *, to: str, body: str) -> SendResult:
        sid = f"SMlocmem{next(_counter):024d}"
        outbox.append(SentSms(to=to, body=body, provider_message_id=sid))
        return SendResult(provider_message_id=sid)

    def can_delete_copies(self) -> bool:
        return True

    def delete_copy(self, provider_message_id: str) -> bool:
        deleted_copies.append(provider_message_id)
        return True
