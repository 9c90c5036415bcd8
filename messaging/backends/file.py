"""Writes each SMS to a file in ``SMS_FILE_PATH``: the demo's outbox.

The demo runs on made-up numbers; in any real deployment use the Twilio backend, since
these files hold numbers and text in clear.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from messaging.backends.base import BaseSmsBackend, SendResult


class FileBackend(BaseSmsBackend):
    name = "file"

    def send(self, *, to: str, body: str) -> SendResult:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        sid = f"SMfile{uuid.uuid4().hex[:26]}"
        record = {"sid": sid, "to": to, "body": body, "at": datetime.now(UTC).isoformat()}
        (folder / f"{sid}.json").write_text(json.dumps(record, ensure_ascii=False))
        return SendResult(provider_message_id=sid, delivered=True)
