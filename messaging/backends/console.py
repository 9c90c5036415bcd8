"""Writes each SMS to standard output, the recipient masked: for local demos."""

from __future__ import annotations

import sys
import uuid

from messaging.backends.base import BaseSmsBackend, SendResult


class ConsoleBackend(BaseSmsBackend):
    name = "console"

    def send(self, *, to: str, body: str) -> SendResult:
        sid = f"SMconsole{uuid.uuid4().hex[:23]}"
        sys.stdout.write(f"[SMS to ...{to[-2:]}] {body}\n")
        sys.stdout.flush()
        return SendResult(provider_message_id=sid, delivered=True)
