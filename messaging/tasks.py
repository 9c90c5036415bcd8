"""Thin Celery tasks: load by id, call the service. Arguments are ids, never content,
since task arguments sit in the broker in clear."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from messaging import handoff, services, spool

logger = logging.getLogger(__name__)


@contextmanager
def single_run(name: str, timeout: int = 300) -> Iterator[bool]:
    """A lock so that two runs of a periodic job never overlap."""
    key = f"lock:{name}"
    acquired = cache.add(key, "1", timeout)
    try:
        yield acquired
    finally:
        if acquired:
            cache.delete(key)


@shared_task(bind=True, max_retries=None, acks_late=True)
def process_inbound(self, inbound_id: int) -> str:
    try:
        return services.inbound_process(inbound_id=inbound_id)
    except Exception as exc:
        if self.request.retries + 1 >= settings.INBOUND_MAX_ATTEMPTS:
            raise
        raise self.retry(exc=exc, countdown=min(5 * 2**self.request.retries, 300)) from exc


@shared_task(bind=True, acks_late=True)
def drain_inbound(self) -> dict[str, int]:
    """Process the ids the webhooks pushed onto the inbound list (messaging/handoff.py);
    a redelivered drain (its worker killed) first takes the batch it had claimed."""
    return handoff.drain(drain_id=self.request.id or "inline")


@shared_task
def sweep_inbound() -> dict[str, int]:
    """Process what the normal path missed: broker down at ingest, worker lost mid-task."""
    done = {"processed": 0, "errors": 0}
    with single_run("sweep_inbound") as acquired:
        if not acquired:
            return done
        # SMS a webhook spooled while the database was down become rows first (the
        # drain logs how many).
        spool.spool_drain()
        # Ids left in the hand-off list by a lost drain get a drain again.
        handoff.drain_kick()
        for inbound_id in services.inbound_pending_ids(older_than=timedelta(seconds=settings.SWEEP_GRACE_SECONDS)):
            try:
                if services.inbound_process(inbound_id=inbound_id) == "processed":
                    done["processed"] += 1
            except Exception:
                done["errors"] += 1
    return done


def _send_and_reschedule(message_id: int) -> str:
    outcome, due = services.outbound_send_and_due(message_id=message_id)
    # "not-due": delivered before its time (a duplicate, or a timer running early):
    # queued again for its time rather than left to the sweep. "paced": published for
    # its pacing slot (an ETA), so it costs nothing until then.
    if due is not None and due.next_attempt_at is not None:
        send_outbound.apply_async(args=[message_id], eta=due.next_attempt_at, priority=due.priority)
    return outcome


@shared_task(bind=True, max_retries=None, acks_late=True)
def send_outbound(self, message_id: int) -> str:
    return _send_and_reschedule(message_id)


@shared_task(acks_late=True)
def send_outbound_many(message_ids: list[int]) -> dict[str, int]:
    """SMS queued together, sent one after the other in this one task: a report's relay
    notices (``outbound_enqueue_each``), or the receipts and notices of a few drained
    reports of one priority (``services.publish_batched_sends``); each that must wait for its pacing slot gets its
    own ``send_outbound`` for that time. One bad message never stops the others (each
    row stays queued: the outbound sweep takes what this task did not finish)."""
    done: dict[str, int] = {}
    for message_id in message_ids:
        try:
            outcome = _send_and_reschedule(message_id)
        except Exception:
            logger.exception("send_outbound_many: SMS %s raised; the others go on", message_id)
            outcome = "error"
        done[outcome] = done.get(outcome, 0) + 1
    return done


@shared_task(acks_late=True)
def dispatch_outbound(message_ids: list[int], priority: int) -> int:
    """Publish one ``send_outbound`` per message of a broadcast chunk. A broadcast's rows
    are queued in one transaction; publishing a thousand tasks from the request would
    take seconds, so the request publishes one of these per chunk and a worker fans out.
    A lost dispatch only delays: the rows stay queued and the outbound sweep sends them."""
    for message_id in message_ids:
        send_outbound.apply_async(args=[message_id], priority=priority)
    return len(message_ids)


@shared_task
def sweep_outbound() -> dict[str, int]:
    done = {"queued": 0, "released": 0, "errors": 0}
    with single_run("sweep_outbound") as acquired:
        if not acquired:
            return done
        done["released"] = services.outbound_release_stuck(older_than=timedelta(minutes=5))
        for message_id in services.outbound_due_ids(stale_after=timedelta(seconds=settings.SWEEP_GRACE_SECONDS)):
            # One bad row must never stop the others: each message is guarded. One that
            # must wait again (paced, retried) is left for a later sweep: a message the
            # sweep takes has no task of its own.
            try:
                services.outbound_send(message_id=message_id)
            except Exception:
                logger.exception("sweep_outbound: SMS %s raised; the others go on", message_id)
                done["errors"] += 1
                continue
            done["queued"] += 1
    return done


# Purges take the same lock as the sweeps: two runs (a slow one and the next beat, or
# two beats by mistake) never delete side by side. The lock outlives a slow run.
PURGE_LOCK_SECONDS = 3600


@shared_task
def purge_contact_vault() -> int:
    with single_run("purge_contact_vault", timeout=PURGE_LOCK_SECONDS) as acquired:
        if not acquired:
            return 0
        return services.vault_purge_expired()


@shared_task(bind=True, max_retries=5, acks_late=True)
def delete_provider_copy(self, inbound_id: int) -> bool:
    from messaging.backends import TransientSendError

    try:
        return services.delete_provider_copy(inbound_id=inbound_id)
    except TransientSendError as exc:
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc


@shared_task(acks_late=True)
def delete_provider_copies(inbound_ids: list[int]) -> int:
    """A drained batch's provider copies, deleted one after the other in one task. One
    that fails transiently gets its own ``delete_provider_copy`` (its retries and back-
    off); one that raises otherwise is logged, and the others go on."""
    from messaging.backends import TransientSendError

    deleted = 0
    for inbound_id in inbound_ids:
        try:
            deleted += bool(services.delete_provider_copy(inbound_id=inbound_id))
        except TransientSendError:
            services.enqueue_after_commit(delete_provider_copy, inbound_id, countdown=60)
        except Exception:
            logger.exception("delete_provider_copies: inbound %s raised; the others go on", inbound_id)
    return deleted


@shared_task(bind=True, max_retries=5, acks_late=True)
def delete_voice_call_log(self, provider: str, call_id: str) -> bool:
    """Delete a finished call's log at its provider (numbers, times), as SMS copies are."""
    from messaging.backends import TransientSendError
    from messaging.providers.twilio.voice import delete_call_log

    if provider != "twilio":
        return False  # the platform's own SIP agent keeps no call log
    try:
        return delete_call_log(call_id)
    except TransientSendError as exc:
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc


@shared_task(bind=True, max_retries=5, acks_late=True)
def delete_outbound_copy(self, message_id: int) -> bool:
    from messaging.backends import TransientSendError

    try:
        return services.outbound_delete_provider_copy(message_id=message_id)
    except TransientSendError as exc:
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc


@shared_task
def purge_old_messages() -> tuple[int, int]:
    with single_run("purge_old_messages", timeout=PURGE_LOCK_SECONDS) as acquired:
        if not acquired:
            return 0, 0
        return services.messages_purge(
            inbound_days=settings.INBOUND_RETENTION_DAYS,
            outbound_days=settings.OUTBOUND_RETENTION_DAYS,
            failed_number_days=settings.CONTACT_VAULT_DAYS,
        )


@shared_task
def watch_gateways() -> dict[str, int]:
    """Mark silent or only-failing gateway phones down; warn coordinators once per outage."""
    from messaging import gateways

    with single_run("watch_gateways") as acquired:
        if not acquired or "android" not in settings.SMS_PROVIDERS:
            return {"down": 0, "warned": 0}
        return gateways.gateways_watch(provider="android", device_ids=settings.ANDROID_GATEWAY_DEVICES or [""])


@shared_task
def purge_provider_events() -> int:
    from messaging import gateways

    return gateways.provider_events_purge()
