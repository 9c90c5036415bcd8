"""Writes for messages in and out, the contact vault and opt-outs.

The shape of the inbound path, which is what "nothing lost" rests on:

1. ``inbound_store`` writes the encrypted input in one INSERT (unique on the provider's
   message id, so a redelivery is recognised) and hands its id to the worker after
   commit (``messaging/handoff.py``). If the broker is down the row simply stays ``pending``.
2. ``inbound_process`` locks the row, lets the first willing handler act, and marks it
   processed in the same transaction: a crash or database error rolls everything back
   and a later attempt (Celery retry, or ``sweep_inbound``) starts clean.
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache, partial
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from kombu.exceptions import KombuError

from messaging import handoff, pacing, routing
from messaging.backends import BaseSmsBackend, PermanentSendError, TransientSendError, get_backend
from messaging.models import (
    ContactVaultEntry,
    InboundMessage,
    InboundStatus,
    OptOut,
    OutboundEvent,
    OutboundMessage,
    OutboundStatus,
    Priority,
)
from messaging.providers import provider
from veille.phones import normalize_msisdn, pseudonym_candidates, pseudonym_of_canonical
from veille.timeutil import now_minute

logger = logging.getLogger(__name__)


# --- Queueing ------------------------------------------------------------------------


def enqueue_after_commit(task: Any, *args: Any, **options: Any) -> None:
    """Queue ``task`` once the current transaction commits; a dead broker is not an error.

    Whatever the task would do is already recorded in a row that a periodic sweep picks
    up, so a failed publish only delays the work.
    """

    def publish() -> None:
        try:
            task.apply_async(args=args, **options)
        except (KombuError, ConnectionError, OSError) as exc:
            logger.warning("broker unavailable (%s); %s left for the sweep", type(exc).__name__, task.name)
        except Exception:
            # Only reachable with eager tasks (tests, demos): the caller must not fail
            # because the work failed; the row keeps its state and the sweep retries it.
            logger.exception("%s failed when run inline; left for the sweep", task.name)

    transaction.on_commit(publish)


@dataclass
class SendBatch:
    """The sends queued by a drain's messages, as (priority, message id), each added once
    its message's transaction committed. ``open`` turns False when the drain's block
    ends: a commit that comes later still (the block ran inside an outer transaction)
    publishes its sends itself rather than add them to a batch already published."""

    sends: list[tuple[int, int]] = field(default_factory=list)
    open: bool = True


_send_batch: ContextVar[SendBatch | None] = ContextVar("messaging_send_batch", default=None)


def _publish_sends(message_ids: list[int], priority: int) -> None:
    """Queue the send of these just-queued messages once the transaction commits: one
    task for them all, or, inside ``sends_batched``, a place in the drain's batch."""
    if not message_ids:
        return
    batch = _send_batch.get()
    if batch is None:
        _publish_sends_unbatched(message_ids, priority)
        return

    def gather() -> None:
        # After the commit: a message whose transaction rolled back is never published.
        if batch.open:
            batch.sends.extend((priority, message_id) for message_id in message_ids)
        else:
            _publish_sends_unbatched(message_ids, priority)

    transaction.on_commit(gather)


def _publish_sends_unbatched(message_ids: list[int], priority: int) -> None:
    from messaging import tasks

    if len(message_ids) == 1:
        enqueue_after_commit(tasks.send_outbound, message_ids[0], priority=priority)
    else:
        enqueue_after_commit(tasks.send_outbound_many, message_ids, priority=priority)


@contextmanager
def sends_batched() -> Iterator[SendBatch]:
    """Within this block the SMS that processed messages queue (a report's receipt, its
    relay notices) are not published one task per call: they gather in the batch
    yielded, for the caller to publish with ``publish_batched_sends`` (within the block,
    as often as it likes, and once more at its end). A publish and a task run for the
    receipt and again for the notices of every report were about a tenth of the
    worker's CPU per report."""
    batch = SendBatch()
    token = _send_batch.set(batch)
    try:
        yield batch
    finally:
        batch.open = False
        _send_batch.reset(token)


def publish_batched_sends(batch: SendBatch) -> int:
    """One ``send_outbound_many`` per priority in ``batch`` (the most urgent published
    first, each with its own priority in the broker, so a relay notice never waits
    behind a receipt), in the order they were queued; then empties the batch. Returns
    how many tasks were published. A lost publish only delays: the rows are queued and
    the outbound sweep sends them."""
    from messaging import tasks

    by_priority: dict[int, list[int]] = {}
    for priority, message_id in batch.sends:
        by_priority.setdefault(priority, []).append(message_id)
    batch.sends.clear()
    for priority in sorted(by_priority):
        enqueue_after_commit(tasks.send_outbound_many, by_priority[priority], priority=priority)
    return len(by_priority)


# --- Per-message memo ----------------------------------------------------------------


@dataclass
class _MessageMemo:
    """What one inbound message's transaction already read or wrote about its sender.

    Processing one report asks "is this sender opted out?" and "what is their number?"
    up to five times for the same pseudonym (the vault write, the receipt, the request
    for the place...). Inside ``inbound_process`` the answers cannot change except
    through this module's own writes (``opt_out``, ``opt_in``, ``vault_store``,
    ``vault_forget``), which update or clear the memo, and the whole memo ends with the
    transaction. Outside a message nothing is memoised.
    """

    # frozenset of pseudonyms looked up -> whether any of them opted out
    opted_out: dict[frozenset[str], bool] = field(default_factory=dict)
    # pseudonym -> (number, expires_at), as written by vault_store in this transaction
    contacts: dict[str, tuple[str, datetime]] = field(default_factory=dict)


_memo: ContextVar[_MessageMemo | None] = ContextVar("messaging_message_memo", default=None)


@contextmanager
def _message_scope() -> Iterator[None]:
    token = _memo.set(_MessageMemo())
    try:
        yield
    finally:
        _memo.reset(token)


def _forget_memo() -> None:
    """Opt-outs or vault entries changed: drop what was memoised, to be read again."""
    memo = _memo.get()
    if memo is not None:
        memo.opted_out.clear()
        memo.contacts.clear()


def _any_opted_out(pseudonyms: Iterable[str]) -> bool:
    """Whether any of these pseudonyms opted out: one query, memoised within a message."""
    key = frozenset(pseudonyms)
    memo = _memo.get()
    if memo is not None and key in memo.opted_out:
        return memo.opted_out[key]
    found = OptOut.objects.filter(pseudonym__in=key).exists()
    if memo is not None:
        memo.opted_out[key] = found
    return found


# --- Inbound -------------------------------------------------------------------------


@dataclass(frozen=True)
class InboundSms:
    """What a handler is given. The sender is known only by pseudonym."""

    inbound_id: int
    provider: str
    sender_pseudonym: str
    body: str
    num_media: int
    received_at: datetime
    # The pictures of an MMS, fetched by the worker (raw bytes, in memory only): the
    # handler re-encodes them from their pixels before anything keeps them.
    media: tuple[bytes, ...] = ()


InboundHandler = Callable[[InboundSms], bool]


@lru_cache(maxsize=4)
def _handlers(paths: tuple[str, ...]) -> list[InboundHandler]:
    return [import_string(path) for path in paths]


def inbound_store(
    *,
    provider: str,
    provider_message_id: str,
    sender: str,
    body: str,
    num_media: int = 0,
    media_urls: Sequence[str] = (),
    media_data: Sequence[str] = (),
) -> tuple[InboundMessage, bool]:
    """Store one inbound SMS; returns (row, created). A redelivery returns the first row.

    The sender's number travels inside the encrypted payload only until processing moves
    it to the contact vault.
    """
    canonical = normalize_msisdn(sender) or sender.strip()
    payload = {"body": body[: settings.INBOUND_SMS_MAX_CHARS], "num_media": num_media, "reply_to": canonical}
    if media_urls:
        payload["media"] = list(media_urls)[:10]
    if media_data:
        # Pictures the gateway delivered inline (base64), encrypted with the rest.
        payload["media_data"] = list(media_data)[:10]
    fields = {
        "provider": provider,
        "provider_message_id": provider_message_id,
        "sender_pseudonym": pseudonym_of_canonical(canonical),
        "payload": payload,
        "received_at": now_minute(),
    }
    try:
        if transaction.get_connection().in_atomic_block:
            # Inside a caller's transaction: a savepoint, so a redelivery's IntegrityError
            # leaves the caller's transaction usable.
            with transaction.atomic():
                message = InboundMessage.objects.create(**fields)
                handoff.inbound_hand_off(message.pk)
        else:
            # The webhook's case: one INSERT that commits itself (no BEGIN, no COMMIT:
            # two round trips fewer per SMS), then the hand-off, which on_commit runs at
            # once outside a transaction. A redelivery fails the INSERT alone.
            message = _inbound_insert(InboundMessage(**fields))
            handoff.inbound_hand_off(message.pk)
    except IntegrityError:
        existing = InboundMessage.objects.get(provider=provider, provider_message_id=provider_message_id)
        return existing, False
    return message, True


@lru_cache(maxsize=4)
def _inbound_insert_sql(vendor: str) -> tuple[str, tuple[Any, ...]]:
    """The INSERT of one inbound row, compiled once per process (and database vendor)."""
    from django.db import connection

    quote = connection.ops.quote_name
    fields = tuple(f for f in InboundMessage._meta.concrete_fields if not f.primary_key)
    # Names from the model's own metadata, quoted by the backend; values are parameters.
    sql = "INSERT INTO {} ({}) VALUES ({}) RETURNING {}".format(  # noqa: S608
        quote(InboundMessage._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
        quote(InboundMessage._meta.pk.column),
    )
    return sql, fields


def _inbound_insert(message: InboundMessage) -> InboundMessage:
    """``message.save()`` in one statement prepared once: the ORM compiled the same INSERT
    for every SMS, about 170 us of CPU, an eighth of the webhook's cost (measured beside
    the same statement through a cursor). Each value still goes through its field's
    ``pre_save`` and ``get_db_prep_save`` (the payload's encryption, defaults), and the
    model has no save signal to skip. Where the database cannot return the new id, the
    ORM's own save."""
    from django.db import connection

    if not connection.features.can_return_columns_from_insert:
        message.save(force_insert=True)
        return message
    sql, fields = _inbound_insert_sql(connection.vendor)
    values = [field.get_db_prep_save(field.pre_save(message, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        (message.pk,) = cursor.fetchone()
    message._state.adding = False
    message._state.db = connection.alias
    return message


def _record_attempt(inbound_id: int) -> bool:
    """Count an attempt on a pending message; False if it is missing or not pending.

    One conditional UPDATE in its own transaction, so that it survives a rollback of the
    work: it replaces a status read plus a lock-read-write (five round trips, now three).
    The explicit transaction matters: a worker killed while the UPDATE waits for the
    row's lock never sends COMMIT, so its attempt is not counted, where an autocommit
    UPDATE would commit on the server once the lock is free.
    """
    with transaction.atomic():
        updated = InboundMessage.objects.filter(pk=inbound_id, status=InboundStatus.PENDING).update(
            attempts=F("attempts") + 1
        )
    return updated > 0


# The ids whose provider copy is to be deleted, collected by the drain that processes
# them (None outside one: each message publishes its own deletion).
_copy_deletions: ContextVar[list[int] | None] = ContextVar("messaging_copy_deletions", default=None)


@contextmanager
def copy_deletions_batched() -> Iterator[list[int]]:
    """Within this block the processed messages' provider copies are not deleted one task
    each: their ids (once each message's processing has committed) gather in the list
    yielded, for the caller to hand to one ``delete_provider_copies`` task. A task per
    message was a publish and a task run each, about a tenth of the worker's CPU per
    report."""
    collected: list[int] = []
    token = _copy_deletions.set(collected)
    try:
        yield collected
    finally:
        _copy_deletions.reset(token)


def inbound_process(*, inbound_id: int) -> str:
    """Process one stored message exactly once. Returns what happened, for the task log."""
    if not _record_attempt(inbound_id):
        return "already-done" if InboundMessage.objects.filter(pk=inbound_id).exists() else "missing"
    attempts: int | None = None
    batch, delete_copy = _copy_deletions.get(), False
    try:
        with transaction.atomic(), _message_scope():
            message = InboundMessage.objects.select_for_update().get(pk=inbound_id)
            attempts = message.attempts  # read under the lock, our own attempt included
            if message.status != InboundStatus.PENDING:
                return "already-done"  # another worker finished it while we waited
            payload = dict(message.payload)
            reply_to = payload.pop("reply_to", None)
            if reply_to and not is_opted_out(pseudonym=message.sender_pseudonym):
                vault_store(pseudonym=message.sender_pseudonym, number=reply_to)
            media_urls = list(payload.pop("media", None) or [])
            sms = InboundSms(
                inbound_id=message.pk,
                provider=message.provider,
                sender_pseudonym=message.sender_pseudonym,
                body=payload.get("body", ""),
                num_media=int(payload.get("num_media") or 0),
                received_at=message.received_at,
                media=tuple(_media_fetch(message, media_urls))
                + tuple(base64.b64decode(data) for data in payload.pop("media_data", None) or []),
            )
            handled_by = ""
            for path, handler in zip(
                settings.INBOUND_SMS_HANDLERS, _handlers(tuple(settings.INBOUND_SMS_HANDLERS)), strict=True
            ):
                if handler(sms):
                    handled_by = path
                    break
            message.payload = payload  # the number is in the vault now, not here (nor the media URLs)
            message.status = InboundStatus.PROCESSED
            message.processed_at = now_minute()  # seconds after arrival: no finer than it
            message.handled_by = handled_by
            message.last_error = ""
            message.save(update_fields=["payload", "status", "processed_at", "handled_by", "last_error"])
            if media_urls:
                transaction.on_commit(partial(_media_delete, message.provider, message.provider_message_id, media_urls))
            if _keeps_copies(message.provider):
                if batch is not None:
                    delete_copy = True  # in a drain: one task for the batch, once committed
                else:
                    from messaging import tasks

                    enqueue_after_commit(tasks.delete_provider_copy, message.pk)
    except Exception as exc:
        if attempts is None:  # failed before the row was read: read the count now
            attempts = InboundMessage.objects.filter(pk=inbound_id).values_list("attempts", flat=True).first() or 0
        final = attempts >= settings.INBOUND_MAX_ATTEMPTS
        ended = {"processed_at": timezone.now()} if final else {}  # retention counts from here
        InboundMessage.objects.filter(pk=inbound_id, status=InboundStatus.PENDING).update(
            last_error=type(exc).__name__[:200],
            status=InboundStatus.FAILED if final else InboundStatus.PENDING,
            **ended,
        )
        logger.exception("inbound %s failed on attempt %s%s", inbound_id, attempts, " (giving up)" if final else "")
        raise
    if delete_copy and batch is not None:
        batch.append(inbound_id)
    return "processed"


def _media_fetch(message: InboundMessage, urls: list[str]) -> list[bytes]:
    """The MMS pictures, fetched through the provider's backend (its credentials, its
    HTTP client). A network failure raises: the message stays pending, URLs and all, and
    is retried; a URL that is not the provider's own, or a picture already gone, is
    dropped (the text still counts)."""
    if not urls:
        return []
    try:
        return backend_of(message.provider).fetch_media(message.provider_message_id, urls)
    except PermanentSendError as exc:
        logger.warning("inbound %s: media not fetched (%s)", message.pk, exc.code)
        return []


def _media_delete(provider_name: str, provider_message_id: str, urls: list[str]) -> None:
    """After the pictures are stored (committed), delete them at the provider. A failure
    is logged: the message's own deletion (``delete_provider_copy``) removes its media too."""
    try:
        backend_of(provider_name).delete_media(provider_message_id, urls)
    except Exception as exc:
        logger.warning("media of %s not deleted at the provider (%s)", provider_name, type(exc).__name__)


def inbound_pending_ids(*, older_than: timedelta, limit: int = 500) -> list[int]:
    cutoff = timezone.now() - older_than
    return list(
        InboundMessage.objects.filter(status=InboundStatus.PENDING, received_at__lte=cutoff)
        .order_by("received_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


# --- Contact vault and opt-outs ------------------------------------------------------


def vault_store(*, pseudonym: str, number: str) -> None:
    # To the minute, like the arrival it follows: an exact expiry would give the time of
    # the sender's last SMS back.
    expires = now_minute() + timedelta(days=settings.CONTACT_VAULT_DAYS)
    # One upsert on the unique pseudonym, where update_or_create took six statements
    # (two savepoints, a locking read, the write). ``updated_at`` (its default) is set by
    # the insert (to the minute) and copied by the update.
    ContactVaultEntry.objects.bulk_create(
        [ContactVaultEntry(pseudonym=pseudonym, number=number, expires_at=expires)],
        update_conflicts=True,
        unique_fields=["pseudonym"],
        update_fields=["number", "expires_at", "updated_at"],
    )
    memo = _memo.get()
    if memo is not None:
        memo.contacts[pseudonym] = (number, expires)


def vault_lookup(*, pseudonym: str) -> str | None:
    memo = _memo.get()
    if memo is not None and pseudonym in memo.contacts:
        number, expires = memo.contacts[pseudonym]
        return number if expires > timezone.now() else None
    entry = ContactVaultEntry.objects.filter(pseudonym=pseudonym, expires_at__gt=timezone.now()).first()
    return entry.number if entry else None


def vault_forget(*, pseudonym: str) -> int:
    _forget_memo()
    deleted, _ = ContactVaultEntry.objects.filter(pseudonym=pseudonym).delete()
    return deleted


def vault_purge_expired() -> int:
    deleted, _ = ContactVaultEntry.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


def messages_purge(*, inbound_days: int, outbound_days: int, failed_number_days: int | None = None) -> tuple[int, int]:
    """Retention, as ``docs/data-kept.md`` states it:

    - processed inbound input goes ``inbound_days`` after it was processed;
    - a failed inbound row is work not done and stays, but the sender's number inside it
      (``reply_to``, encrypted) goes ``failed_number_days`` (``CONTACT_VAULT_DAYS``) after
      it failed: no longer than the vault would have kept it;
    - a finished outbound SMS goes ``outbound_days`` after its last status change (sent,
      delivered, failed, cancelled), not after it was queued.

    Returns (inbound rows deleted, outbound rows deleted).
    """
    now = timezone.now()
    inbound_cutoff = now - timedelta(days=inbound_days)
    inbound, _ = (
        InboundMessage.objects.filter(status=InboundStatus.PROCESSED)
        .filter(Q(processed_at__lt=inbound_cutoff) | Q(processed_at__isnull=True, received_at__lt=inbound_cutoff))
        .delete()
    )
    number_cutoff = now - timedelta(days=failed_number_days or settings.CONTACT_VAULT_DAYS)
    _failed_numbers_forget(cutoff=number_cutoff)
    outbound_cutoff = now - timedelta(days=outbound_days)
    outbound, _ = (
        OutboundMessage.objects.exclude(status__in=[OutboundStatus.QUEUED, OutboundStatus.SENDING])
        .filter(created_at__lt=outbound_cutoff)
        .filter(Q(sent_at__isnull=True) | Q(sent_at__lt=outbound_cutoff))
        # Its last status change (each one is an event row) is older than the limit.
        .exclude(Exists(OutboundEvent.objects.filter(message=OuterRef("pk"), at__gte=outbound_cutoff)))
        .delete()
    )
    return inbound, outbound


def _failed_numbers_forget(*, cutoff: datetime) -> int:
    """Take the sender's number out of failed rows that failed before ``cutoff``. The
    payload is ciphertext, so each row is read, changed and written back."""
    forgotten = 0
    failed = InboundMessage.objects.filter(status=InboundStatus.FAILED).filter(
        Q(processed_at__lt=cutoff) | Q(processed_at__isnull=True, received_at__lt=cutoff)
    )
    for message in failed.iterator():
        payload = dict(message.payload or {})
        if payload.pop("reply_to", None) is None:
            continue
        message.payload = payload
        message.save(update_fields=["payload"])
        forgotten += 1
    return forgotten


def opt_out(*, pseudonym: str) -> None:
    """Stop all messages to this sender and forget their number at once."""
    _forget_memo()
    OptOut.objects.get_or_create(pseudonym=pseudonym)
    vault_forget(pseudonym=pseudonym)
    queued = OutboundMessage.objects.select_for_update().filter(
        recipient_pseudonym=pseudonym, status=OutboundStatus.QUEUED
    )
    for message in queued:
        _set_status(message, OutboundStatus.CANCELLED, "opted out")
    # Apps above keep numbers of their own (community-warning subscriptions): they are
    # told by dotted path, so this app still imports none of them.
    for path in settings.OPT_OUT_HANDLERS:
        import_string(path)(pseudonym)


def opt_in(*, pseudonym: str) -> None:
    _forget_memo()
    OptOut.objects.filter(pseudonym=pseudonym).delete()


def is_opted_out(*, pseudonym: str) -> bool:
    return _any_opted_out([pseudonym])


# --- Outbound ------------------------------------------------------------------------


def outbound_enqueue(
    *, to_number: str, body: str, purpose: str, priority: int = Priority.NORMAL
) -> OutboundMessage | None:
    """Queue one SMS for the worker. Never sends inline. None if the recipient opted out."""
    return _enqueue(to_number=to_number, body=body, purpose=purpose, priority=priority)


def _enqueue(
    *, to_number: str, body: str, purpose: str, priority: int, also_check: str | None = None, coarse: bool = False
) -> OutboundMessage | None:
    """``outbound_enqueue``; ``also_check`` is one more pseudonym whose opt-out stops the
    message, checked in the same query as the number's own pseudonyms. ``coarse``: a
    message to a reporter, whose times are kept to the minute."""

    canonical = normalize_msisdn(to_number) or to_number.strip()
    candidates = pseudonym_candidates(canonical)
    pseudonym = candidates[0]  # the newest key's, as pseudonym_for gives
    if _any_opted_out([*candidates, *([also_check] if also_check else [])]):
        return None
    created = now_minute() if coarse else timezone.now()
    message = OutboundMessage.objects.create(
        recipient=canonical,
        recipient_pseudonym=pseudonym,
        body=body,
        purpose=purpose,
        priority=priority,
        coarse_times=coarse,
        created_at=created,
    )
    OutboundEvent.objects.create(message=message, status=OutboundStatus.QUEUED, at=created)
    _publish_sends([message.pk], int(priority))
    return message


# Kept under SQLite's smallest limit on bound parameters per statement.
_IN_CHUNK = 500
# Messages per dispatch task of a broadcast (see tasks.dispatch_outbound).
DISPATCH_CHUNK = 100


def _opted_out_among(pseudonyms: list[str]) -> set[str]:
    """Which of these pseudonyms opted out: one query per ``_IN_CHUNK`` of them."""
    opted_out: set[str] = set()
    for start in range(0, len(pseudonyms), _IN_CHUNK):
        chunk = pseudonyms[start : start + _IN_CHUNK]
        opted_out.update(OptOut.objects.filter(pseudonym__in=chunk).values_list("pseudonym", flat=True))
    return opted_out


def outbound_enqueue_many(
    *, messages: Iterable[tuple[str, str]], purpose: str, priority: int = Priority.NORMAL
) -> list[OutboundMessage]:
    """Queue a broadcast: ``(number, body)`` pairs, one transaction, one opt-out lookup per
    500 numbers and bulk INSERTs, then, once committed, one dispatch task per 100
    messages that publishes their send tasks from a worker. A thousand recipients are
    queued in about a second (target P5: under 2 s), where one ``outbound_enqueue``
    each would take three round trips and a publish apiece. Opted-out and repeated
    numbers are skipped.
    """
    from messaging import tasks

    prepared: list[tuple[str, str, list[str]]] = []
    seen: set[str] = set()
    for number, body in messages:
        canonical = normalize_msisdn(number) or number.strip()
        if canonical in seen:
            continue
        seen.add(canonical)
        prepared.append((canonical, body, pseudonym_candidates(canonical)))
    opted_out = _opted_out_among([pseudonym for *_, pseudonyms in prepared for pseudonym in pseudonyms])
    with transaction.atomic():
        created = OutboundMessage.objects.bulk_create(
            [
                OutboundMessage(
                    recipient=canonical,
                    recipient_pseudonym=pseudonyms[0],
                    body=body,
                    purpose=purpose,
                    priority=priority,
                )
                for canonical, body, pseudonyms in prepared
                if opted_out.isdisjoint(pseudonyms)
            ],
            batch_size=_IN_CHUNK,
        )
        OutboundEvent.objects.bulk_create(
            [OutboundEvent(message=message, status=OutboundStatus.QUEUED) for message in created],
            batch_size=_IN_CHUNK,
        )
        ids = [message.pk for message in created]
        for start in range(0, len(ids), DISPATCH_CHUNK):
            enqueue_after_commit(
                tasks.dispatch_outbound, ids[start : start + DISPATCH_CHUNK], int(priority), priority=int(priority)
            )
    return created


def outbound_enqueue_each(
    *, messages: Sequence[tuple[str, str]], purpose: str, priority: int = Priority.NORMAL
) -> list[OutboundMessage | None]:
    """Queue a few SMS at once (a report's relay notices): ``(number, body)`` pairs, and
    for each the queued message, or None where the recipient opted out (same order).

    What ``outbound_enqueue`` does for each, in one opt-out query, two multi-row INSERTs
    (messages, their "queued" events) and one task that sends them all, where one call
    each took three statements and a publish apiece. Runs inside the caller's
    transaction; the task is published once it commits.
    """

    prepared = []
    for number, body in messages:
        canonical = normalize_msisdn(number) or number.strip()
        prepared.append((canonical, body, pseudonym_candidates(canonical)))
    if not prepared:
        return []
    opted_out = _opted_out_among([pseudonym for *_, pseudonyms in prepared for pseudonym in pseudonyms])
    created_at = timezone.now()
    rows = [
        OutboundMessage(
            recipient=canonical,
            recipient_pseudonym=pseudonyms[0],
            body=body,
            purpose=purpose,
            priority=priority,
            created_at=created_at,
        )
        for canonical, body, pseudonyms in prepared
        if opted_out.isdisjoint(pseudonyms)
    ]
    created = iter(OutboundMessage.objects.bulk_create(rows))
    OutboundEvent.objects.bulk_create(
        [OutboundEvent(message=m, status=OutboundStatus.QUEUED, at=created_at) for m in rows]
    )
    _publish_sends([m.pk for m in rows], int(priority))
    return [next(created) if opted_out.isdisjoint(pseudonyms) else None for *_, pseudonyms in prepared]


def outbound_enqueue_to_pseudonym(
    *, pseudonym: str, body: str, purpose: str, priority: int = Priority.NORMAL
) -> OutboundMessage | None:
    """Reply to someone known only by pseudonym, through the vault. None if not reachable."""
    number = vault_lookup(pseudonym=pseudonym)
    if number is None:
        return None
    # The pseudonym's own opt-out and the number's are one query, not two.
    return _enqueue(to_number=number, body=body, purpose=purpose, priority=priority, also_check=pseudonym, coarse=True)


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(10 * 2 ** max(attempts - 1, 0), 1800))


def is_provider_outage(code: str) -> bool:
    """A failure of the provider itself (timeout, network, HTTP 5xx or Twilio's 205xx),
    not of this message: it says nothing about whether this message can be sent."""
    if code in {"timeout", "network"}:
        return True
    return code.isdigit() and (500 <= int(code) <= 599 or 20500 <= int(code) <= 20599)


def _within_outage_window(message: OutboundMessage) -> bool:
    """While the provider is down, an SMS keeps being retried past SMS_MAX_SEND_ATTEMPTS
    for SMS_OUTAGE_RETRY_MINUTES after it was queued: an outage of a few minutes must not
    fail every alert queued meanwhile (the attempt cap alone gave up after about 5 min)."""
    return timezone.now() - message.created_at < timedelta(minutes=settings.SMS_OUTAGE_RETRY_MINUTES)


FINAL_FAILURES = {OutboundStatus.FAILED, OutboundStatus.UNDELIVERED}


@lru_cache(maxsize=4)
def _failure_handlers(paths: tuple[str, ...]) -> list[Callable[[OutboundMessage], None]]:
    return [import_string(path) for path in paths]


# The times of a message to a reporter that are kept after it is sent: to the minute.
_COARSE_FIELDS = ("sent_at", "claimed_at")


def _event_time(message: OutboundMessage) -> datetime:
    return now_minute() if message.coarse_times else timezone.now()


def _set_status(message: OutboundMessage, status: str, detail: str = "", **fields: Any) -> None:
    message.status = status
    if message.coarse_times and status not in {OutboundStatus.QUEUED, OutboundStatus.SENDING}:
        # Done with the queue: what stays of its times is to the minute. (While queued or
        # sending, the claim and retry times are exact: the sweeps and pacing need them.)
        for name in _COARSE_FIELDS:
            value = fields.get(name, getattr(message, name))
            if isinstance(value, datetime):
                fields[name] = value.replace(second=0, microsecond=0)
        fields["next_attempt_at"] = None
    for name, value in fields.items():
        setattr(message, name, value)
    # The status and its event row commit together: no status can ever be left without
    # its event by a crash between them.
    at = _event_time(message)
    if not _save_status_in_one_statement(message, status, detail[:200], at, ["status", *fields.keys()]):
        # Inside a transaction this adds no savepoint; outside, it is one commit.
        with transaction.atomic(savepoint=False):
            message.save(update_fields=["status", *fields.keys()])
            OutboundEvent.objects.create(message=message, status=status, detail=detail[:200], at=at)
    if status in FINAL_FAILURES:
        # Apps that sent it learn of the failure (an alert's relay must know), through
        # dotted paths in settings so this app imports none of them. Run after the
        # commit above, as before: a failing handler cannot undo the recorded status.
        for handler in _failure_handlers(tuple(settings.OUTBOUND_FAILURE_HANDLERS)):
            handler(message)


def _event_table_and_columns(connection: Any) -> tuple[str, str]:
    """The event table and its columns (message, status, at, detail), quoted, for the
    statements below that write an event beside its message's change."""
    meta, quote = OutboundEvent._meta, connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in ("message", "status", "at", "detail"))
    return quote(meta.db_table), columns


def _save_status_in_one_statement(
    message: OutboundMessage, status: str, detail: str, at: datetime, names: list[str]
) -> bool:
    """On PostgreSQL, write a status change and its event row in one statement (a data-
    modifying CTE: the UPDATE and the INSERT are atomic together), built here, not by
    the ORM: a send changes status twice, and the ORM's way (BEGIN, UPDATE, INSERT,
    COMMIT, each statement compiled anew) was a fifth of the worker's CPU per report.
    False on other databases (SQLite has no UPDATE inside a WITH): the caller saves
    through the ORM, with the same rows as the result."""
    connection = connections[OutboundMessage.objects.db]
    if connection.vendor != "postgresql":
        return False
    quote = connection.ops.quote_name
    meta = OutboundMessage._meta
    columns, values = [], []
    for name in names:
        model_field = meta.get_field(name)
        columns.append(f"{quote(model_field.column)} = %s")
        values.append(model_field.get_db_prep_save(getattr(message, name), connection))
    event_at = OutboundEvent._meta.get_field("at").get_db_prep_save(at, connection)
    event_table, event_columns = _event_table_and_columns(connection)
    # Identifiers come from the models' metadata, every value is a bound parameter.
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    sql = (
        f"WITH changed AS (UPDATE {table} SET {', '.join(columns)} WHERE {pk} = %s "  # noqa: S608
        f"RETURNING {pk}) "
        f"INSERT INTO {event_table} ({event_columns}) "
        f"SELECT {pk}, %s, %s, %s FROM changed"
    )
    with transaction.mark_for_rollback_on_error(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(sql, [*values, message.pk, status, event_at, detail])
        written = cursor.rowcount
    if written != 1:
        # As the ORM's save(update_fields=...) does for a row that is gone.
        raise DatabaseError(f"outbound message {message.pk} not updated (is it deleted?)")
    return True


NOT_DUE_TOLERANCE = timedelta(seconds=1)


def outbound_send(*, message_id: int) -> str:
    """Hand one queued message to the SMS backend. Returns what happened.

    Returns ``"retry"`` with ``next_attempt_at`` set when the provider failed transiently.
    """
    return outbound_send_and_due(message_id=message_id)[0]


def outbound_send_and_due(*, message_id: int) -> tuple[str, OutboundMessage | None]:
    """``outbound_send``, with the message as it was left when it is to be tried again
    ("retry", "paced", "not-due": its ``next_attempt_at`` and ``priority`` say when and
    how the task queues it again, without reading the row back), else None."""
    now = timezone.now()
    message = _claim_in_one_statement(message_id, now)
    if message is None:
        # Not claimable in the one statement (or not PostgreSQL): the full look says why.
        outcome, message = _claim_or_explain(message_id, now)
        if outcome != "claimed":
            return outcome, message
    assert message is not None
    outcome = _send_claimed(message)
    return outcome, message if outcome in {"retry", "paced"} else None


def _claim_in_one_statement(message_id: int, now: datetime) -> OutboundMessage | None:
    """On PostgreSQL, claim a due, queued message whose recipient has not opted out, and
    write its "sending" event, in one statement; None when it is not claimable that way
    (missing, already done, not due, opted out, or another database), for
    ``_claim_or_explain`` to sort out. The row's lock is the UPDATE's own: a second worker
    holding the same task waits for it, then finds the message no longer queued."""
    connection = connections[OutboundMessage.objects.db]
    if connection.vendor != "postgresql":
        return None
    quote = connection.ops.quote_name
    meta = OutboundMessage._meta
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    event_table, event_columns = _event_table_and_columns(connection)
    # Identifiers come from the models' metadata, every value is a bound parameter.
    sql = (
        f"WITH claimed AS (UPDATE {table} AS m SET status = %s, attempts = m.attempts + 1, claimed_at = %s "  # noqa: S608
        f"WHERE m.{pk} = %s AND m.status = %s AND (m.next_attempt_at IS NULL OR m.next_attempt_at <= %s) "
        f"AND NOT EXISTS (SELECT 1 FROM {quote(OptOut._meta.db_table)} AS o "
        f"WHERE o.pseudonym = m.recipient_pseudonym) RETURNING m.*), "
        f"event AS (INSERT INTO {event_table} ({event_columns}) "
        f"SELECT {pk}, %s, CASE WHEN coarse_times THEN %s ELSE %s END, '' FROM claimed) "
        f"SELECT * FROM claimed"
    )
    params = [
        OutboundStatus.SENDING,
        now,
        message_id,
        OutboundStatus.QUEUED,
        now + NOT_DUE_TOLERANCE,
        OutboundStatus.SENDING,
        now.replace(second=0, microsecond=0),
        now,
    ]
    # In a transaction although it is one statement: the row is read back (and its
    # number and text decrypted) before the claim commits, so a row that cannot be read
    # rolls its claim back and stays queued, as with the ORM's locking read.
    with transaction.atomic(using=connection.alias):
        return next(iter(OutboundMessage.objects.raw(sql, params)), None)


def _claim_or_explain(message_id: int, now: datetime) -> tuple[str, OutboundMessage | None]:
    """The claim through the ORM, under a row lock: the claimed message, or why none
    (``missing``, ``already-done``, ``not-due``, ``cancelled`` for an opt-out)."""
    with transaction.atomic():
        # The opt-out check rides along in the locking read: one round trip, not two.
        message = (
            OutboundMessage.objects.select_for_update()
            .annotate(opted_out=Exists(OptOut.objects.filter(pseudonym=OuterRef("recipient_pseudonym"))))
            .filter(pk=message_id)
            .first()
        )
        if message is None:
            return "missing", None
        if message.status != OutboundStatus.QUEUED:
            return "already-done", None
        # A task due at ``next_attempt_at`` may be delivered a moment early (the
        # worker's timer); the pacing below still holds the rate, so a second's
        # tolerance spares a round trip to the queue.
        if message.next_attempt_at and message.next_attempt_at > now + NOT_DUE_TOLERANCE:
            return "not-due", message
        if message.opted_out:
            _set_status(message, OutboundStatus.CANCELLED, "opted out")
            return "cancelled", None
        # Claim it so that a second worker holding the same task skips it.
        message.attempts += 1
        _set_status(message, OutboundStatus.SENDING, attempts=message.attempts, claimed_at=now)
    return "claimed", message


def _send_claimed(message: OutboundMessage) -> str:
    """Hand a claimed message (status ``sending``) to the first provider of its route
    that takes it."""
    recipient, body = message.recipient, message.body
    try:
        groups = routing.candidates_for(recipient)
    except Exception as exc:
        # No backend of the route can be built (missing credential, wrong constructor):
        # every attempt would fail the same way. The message fails now, with the reason
        # in the log and its event row, and the apps that queued it are told (an
        # alert's relay), rather than cycle through the queue for ever.
        reason = f"backend unavailable: {type(exc).__name__}: {exc}"
        logger.error("SMS %s not sent: %s", message.pk, reason)
        _set_status(message, OutboundStatus.FAILED, reason, error_code="backend")
        return "failed"
    order = _send_order(groups, priority=message.priority, preferred_lane=message.lane)
    last_code = ""
    tried: dict[str, Any] = {}  # the provider and lane last tried, recorded on the message
    for candidate in order:
        reservation = _reserve(candidate, message)
        if reservation is None:
            continue  # a more urgent message took the slot twice: try the next provider
        if reservation.slot < 0 or reservation.wait > settings.SMS_MAX_INLINE_WAIT_SECONDS:
            # The provider's pace is taken for a while: queue it again for its slot (kept
            # for it) rather than hold a worker. Waiting for the pace is no send attempt.
            _pace(message, lane=candidate.lane.key, wait=reservation.wait)
            return "paced"
        try:
            result = candidate.backend.send_on(candidate.lane, to=recipient, body=body)
        except PermanentSendError as exc:
            candidate.backend.record_outcome(candidate.lane, ok=True, detail=exc.code)  # the sender works
            _set_status(
                message,
                OutboundStatus.FAILED,
                exc.code,
                error_code=exc.code[:32],
                provider=candidate.provider,
                lane=candidate.lane.key,
            )
            if exc.opted_out:
                # The recipient told the provider to stop: honour it here too, as a STOP.
                with transaction.atomic():
                    opt_out(pseudonym=message.recipient_pseudonym)
            return "failed"
        except Exception as exc:
            # A transient failure, or an unexpected error in the backend (a bug, a library
            # change): the next provider of the route takes the message now; once none
            # is left it is retried with back-off, never more than SMS_MAX_SEND_ATTEMPTS.
            if isinstance(exc, TransientSendError):
                last_code = exc.code
            else:
                last_code = f"error: {type(exc).__name__}"
                logger.exception("SMS %s: the %s backend raised", message.pk, candidate.provider)
            candidate.backend.record_outcome(candidate.lane, ok=False, detail=last_code)
            tried = {"provider": candidate.provider, "lane": candidate.lane.key}
            if candidate is not order[-1]:
                # Falling over to the next provider: the step is on the message's record.
                OutboundEvent.objects.create(
                    message=message,
                    status=OutboundStatus.SENDING,
                    detail=f"failover from {candidate.provider}: {last_code}"[:200],
                    at=_event_time(message),
                )
            continue
        candidate.backend.record_outcome(candidate.lane, ok=True)
        status = OutboundStatus.DELIVERED if result.delivered else OutboundStatus.SENT
        _set_status(
            message,
            status,
            candidate.provider,
            provider=candidate.provider,
            lane=candidate.lane.key,
            provider_message_id=result.provider_message_id,
            sent_at=timezone.now(),
        )
        return "sent"
    if not last_code:
        # No provider failed: more urgent messages took the slots this one waited for.
        # It is queued again for a moment later, at no cost in attempts, never spun.
        _pace(message, lane=message.lane, wait=1.0)
        return "paced"
    code = last_code
    outage = is_provider_outage(code)
    if message.attempts >= settings.SMS_MAX_SEND_ATTEMPTS and not (outage and _within_outage_window(message)):
        _set_status(message, OutboundStatus.FAILED, f"gave up: {code}", error_code=code[:32], **tried)
        return "failed"
    delay = _backoff(message.attempts)
    if outage:
        # The provider is down for everyone: once it is back, every waiting SMS must
        # go within minutes, not after a half-hour back-off.
        delay = min(delay, timedelta(seconds=settings.SMS_OUTAGE_MAX_BACKOFF_SECONDS))
    _set_status(
        message,
        OutboundStatus.QUEUED,
        f"retry: {code}",
        error_code=code[:32],
        next_attempt_at=timezone.now() + delay,
        **tried,
    )
    return "retry"


def _pace(message: OutboundMessage, *, lane: str, wait: float) -> None:
    """Queue ``message`` again for its pacing slot: its send task is published for that
    time (an ETA, by ``tasks.send_outbound``), so it costs nothing until then. A slot
    further off than SMS_PACED_RECHECK_SECONDS is checked again at that bound instead
    (the broker hands an ETA task held longer than its visibility timeout out twice);
    the slot stays reserved for it meanwhile."""
    wait = min(max(wait, 0.0), settings.SMS_PACED_RECHECK_SECONDS)
    _set_status(
        message,
        OutboundStatus.QUEUED,
        "paced",
        attempts=message.attempts - 1,
        lane=lane,
        next_attempt_at=timezone.now() + timedelta(seconds=wait),
    )


def _send_order(
    groups: list[list[routing.Candidate]], *, priority: int, preferred_lane: str
) -> list[routing.Candidate]:
    """The lanes to try, in order: the chosen one, then one of each other provider.

    Within a provider, the lane the message already holds a slot on, else the one whose
    next free slot is nearest (the least busy phone). Residents' replies, when the first
    provider is backed up past the inline wait, go first by a provider that is not.
    """

    def best(group: list[routing.Candidate]) -> tuple[float, routing.Candidate]:
        for candidate in group:
            if preferred_lane and candidate.lane.key == preferred_lane:
                return 0.0, candidate
        if len(group) == 1:
            return pacing.next_free_in(lane=group[0].lane.key, rate=group[0].lane.rate, priority=priority), group[0]
        return min(
            ((pacing.next_free_in(lane=c.lane.key, rate=c.lane.rate, priority=priority), c) for c in group),
            key=lambda pair: pair[0],
        )

    if len(groups) == 1 and len(groups[0]) == 1:
        return groups[0]
    ranked = [best(group) for group in groups]
    order = [candidate for _, candidate in ranked]
    if priority >= Priority.REPLY and ranked[0][0] > settings.SMS_MAX_INLINE_WAIT_SECONDS:
        sooner = min(range(len(ranked)), key=lambda index: ranked[index][0])
        order.insert(0, order.pop(sooner))
    return order


def _reserve(candidate: routing.Candidate, message: OutboundMessage) -> pacing.Reservation | None:
    """A pacing slot on the candidate's lane, waited for when it is near. None when more
    urgent messages took it over twice while this one waited."""
    lane = candidate.lane
    for _ in range(2):
        reservation = pacing.reserve(owner=message.pk, lane=lane.key, rate=lane.rate, priority=message.priority)
        if reservation.wait > settings.SMS_MAX_INLINE_WAIT_SECONDS:
            return reservation
        if reservation.wait <= 0:
            return reservation
        time.sleep(reservation.wait)
        if pacing.holds(owner=message.pk, slot=reservation.slot, lane=lane.key, priority=message.priority):
            return reservation
    return None


def outbound_due_ids(*, stale_after: timedelta, limit: int = 500) -> list[int]:
    """Queued messages whose task may have been lost (broker down, worker lost): queued
    longer than ``stale_after`` ago, or due (a retry, a paced message) longer than that
    ago. A message just due has its ETA task on the way: taking it too made the sweep
    race every paced receipt under load, hundreds in one task holding a worker process
    for seconds while relay notices waited."""
    now = timezone.now()
    # A reporter's message keeps its creation time to the minute (coarse_times): read
    # as precise, one queued at 10:00:59 looked a minute old at 10:01:00, and the sweep
    # took every receipt still waiting behind the relay notices, hundreds in one task
    # holding a worker process for seconds (P4's tail). A minute more for those.
    stale = Q(coarse_times=False, created_at__lte=now - stale_after) | Q(
        coarse_times=True, created_at__lte=now - stale_after - timedelta(minutes=1)
    )
    queued = OutboundMessage.objects.filter(stale, status=OutboundStatus.QUEUED, next_attempt_at__isnull=True) | (
        OutboundMessage.objects.filter(status=OutboundStatus.QUEUED, next_attempt_at__lte=now - stale_after)
    )
    return list(queued.order_by("priority", "created_at").values_list("pk", flat=True)[:limit])


def outbound_release_stuck(*, older_than: timedelta) -> int:
    """A worker killed between claiming and sending leaves ``sending``: queue it again.

    Only the latest claim counts (``claimed_at``), so a message claimed again seconds ago
    by a live worker is left alone. The provider may or may not have taken a released
    message; a rare duplicate SMS is the price of never losing an alert.
    """
    cutoff = timezone.now() - older_than
    count = 0
    with transaction.atomic():
        stuck = OutboundMessage.objects.select_for_update().filter(
            Q(claimed_at__lte=cutoff) | Q(claimed_at__isnull=True), status=OutboundStatus.SENDING
        )
        for message in stuck:
            if message.attempts >= settings.SMS_MAX_SEND_ATTEMPTS:
                # Claimed that many times and never finished: something kills every
                # attempt (a crash in the send path). Fail it, so that its sender hears.
                _set_status(
                    message,
                    OutboundStatus.FAILED,
                    f"gave up: no outcome after {message.attempts} attempts",
                    error_code="stuck",
                )
            else:
                _set_status(message, OutboundStatus.QUEUED, "released after worker loss")
            count += 1
    return count


def backend_of(provider_name: str) -> BaseSmsBackend:
    """The backend that speaks for ``provider_name`` (the one ``SMS_BACKEND`` when set)."""
    if settings.SMS_BACKEND:
        return get_backend(settings.SMS_BACKEND)
    return get_backend(provider(provider_name).backend)


def _keeps_copies(provider_name: str) -> bool:
    """Whether the provider keeps a copy of what it relayed that the platform can delete."""
    try:
        return backend_of(provider_name).can_delete_copies()
    except Exception:
        return False  # an unknown or unbuildable provider: nothing to delete through it


def delete_provider_copy(*, inbound_id: int) -> bool:
    """Delete an inbound message's copy from its provider's logs."""
    message = InboundMessage.objects.filter(pk=inbound_id).first()
    if message is None:
        return False
    return backend_of(message.provider).delete_copy(message.provider_message_id)


def outbound_delete_provider_copy(*, message_id: int) -> bool:
    """Delete a sent message's copy (number and text: a receipt carries its code) from the
    provider's logs, once its delivery status is final. Only the backend that sent it can."""
    message = OutboundMessage.objects.filter(pk=message_id).exclude(provider_message_id="").first()
    if message is None or message.status not in FINAL_STATUSES:
        return False
    backend = backend_of(message.provider)
    if backend.name != message.provider:
        return False
    return backend.delete_copy(message.provider_message_id)


# Statuses only move forward: a late "sent" callback never undoes "delivered".
_STATUS_ORDER = {
    OutboundStatus.QUEUED: 0,
    OutboundStatus.SENDING: 1,
    OutboundStatus.SENT: 2,
    OutboundStatus.DELIVERED: 3,
    OutboundStatus.UNDELIVERED: 3,
    OutboundStatus.FAILED: 3,
}


# Delivery statuses after which the provider's copy can be deleted.
FINAL_STATUSES = {OutboundStatus.DELIVERED, OutboundStatus.UNDELIVERED, OutboundStatus.FAILED}


def outbound_status_update(
    *, provider: str, provider_message_id: str, status: str, error_code: str = "", opted_out: bool = False
) -> OutboundMessage | None:
    """Apply a provider delivery report; returns the message when its status changed.

    Unknown ids and reports that would move a status backwards change nothing (None).
    ``opted_out``: the provider says the recipient told it to stop, recorded as a STOP.
    Once the status is final the provider's copy is deleted (``delete_outbound_copy``).
    """
    from messaging import tasks

    with transaction.atomic():
        message = (
            OutboundMessage.objects.select_for_update()
            .filter(provider_message_id=provider_message_id)
            .filter(Q(provider=provider) | Q(provider=""))
            .first()
        )
        if message is None:
            return None
        if status == message.status or _STATUS_ORDER.get(status, 0) <= _STATUS_ORDER.get(message.status, 0):
            return None
        fields: dict[str, Any] = {}
        if error_code:
            fields["error_code"] = error_code[:32]
        _set_status(message, status, f"provider: {error_code}" if error_code else "provider", **fields)
        if opted_out:
            opt_out(pseudonym=message.recipient_pseudonym)
        if status in FINAL_STATUSES and _keeps_copies(provider):
            enqueue_after_commit(tasks.delete_outbound_copy, message.pk)
    return message
