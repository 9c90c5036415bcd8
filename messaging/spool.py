"""The inbound spool: where a webhook puts an SMS when the database cannot take it.

Twilio does not retry an inbound SMS whose webhook failed (it calls the fallback URL, if
any, then drops it), so an error answer during a database restart loses the report. The
webhook writes the SMS here instead, encrypted under the data key and fsync'ed, answers
200, and the inbound sweep (every ``SWEEP_INBOUND_SECONDS``) stores it once the database
is back. One file per provider message id (its SHA-256, not the id itself): a redelivery
overwrites the same file, and storing is idempotent on the id, so nothing is stored
twice. Web and worker processes must share ``INBOUND_SPOOL_DIR`` (a volume in
docker-compose.yml).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, IntegrityError

from veille import crypto

logger = logging.getLogger(__name__)

CONTEXT = "inbound-spool"
SUFFIX = ".sms"


def _folder() -> Path:
    folder = Path(settings.INBOUND_SPOOL_DIR)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def spool_write(
    *, provider: str, provider_message_id: str, sender: str, body: str, num_media: int, media_urls: list[str] = ()
) -> Path:
    """Keep one inbound SMS on disk until the database takes it; durable on return."""
    folder = _folder()
    record = {
        "provider": provider,
        "provider_message_id": provider_message_id,
        "sender": sender,
        "body": body[: settings.INBOUND_SMS_MAX_CHARS],
        "num_media": num_media,
        "media_urls": list(media_urls),
    }
    sealed = crypto.encrypt(json.dumps(record).encode(), context=CONTEXT)
    name = hashlib.sha256(f"{provider}:{provider_message_id}".encode()).hexdigest()[:40] + SUFFIX
    handle, partial = tempfile.mkstemp(dir=folder, prefix=".partial-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(sealed)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, folder / name)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)  # the new name survives a power cut too
    finally:
        os.close(directory)
    return folder / name


def spool_count() -> int:
    folder = Path(settings.INBOUND_SPOOL_DIR)
    if not folder.is_dir():
        return 0
    return sum(1 for path in folder.iterdir() if path.name.endswith(SUFFIX))


def spool_drain(limit: int = 1000) -> int:
    """Store the spooled SMS (oldest first); returns how many were stored or found stored.

    Stops at the first database error (still down: the next sweep tries again); a file
    that cannot be read back is set aside (``.bad``) and logged, never deleted."""
    from messaging import services

    folder = Path(settings.INBOUND_SPOOL_DIR)
    if not folder.is_dir():
        return 0
    paths = sorted((p for p in folder.iterdir() if p.name.endswith(SUFFIX)), key=lambda p: p.stat().st_mtime)
    drained = 0
    for path in paths[:limit]:
        try:
            record = json.loads(crypto.decrypt(path.read_bytes(), context=CONTEXT))
        except FileNotFoundError:
            continue  # another process drained it
        except Exception as exc:
            logger.error("inbound spool: %s unreadable (%s), set aside", path.name, type(exc).__name__)
            path.rename(path.with_suffix(".bad"))
            continue
        try:
            services.inbound_store(**record)
        except IntegrityError:
            pass  # stored meanwhile by another drain
        except DatabaseError as exc:
            logger.warning("inbound spool: database still unavailable (%s); %d left", type(exc).__name__, len(paths))
            break
        path.unlink(missing_ok=True)
        drained += 1
    if drained:
        logger.info("inbound spool: %d SMS stored", drained)
    return drained
