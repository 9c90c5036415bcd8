"""How a stored inbound SMS reaches a worker: the webhook's last step.

Two ways, chosen by ``INBOUND_HANDOFF``:

``list`` (with Redis, the production set-up)
    After commit the webhook pushes the row's id onto one Redis list and, in the same
    round trip, sets a "drain scheduled" flag if it was not set (``SET NX EX``). Only the
    request that set the flag publishes a Celery task, ``drain_inbound``; every other
    request's hand-off is one pipelined round trip, where a Celery publish builds a
    whole message (headers, ids, JSON, a producer from the pool) for every SMS: it was
    about half of the webhook's own cost.

    A drain claims up to ``INBOUND_DRAIN_BATCH`` ids at once (a Lua script moves them to
    a list named by its own task id, so a drain killed mid-batch and redelivered by
    acks_late finds them again), and, while more ids wait, publishes its continuation
    before it works, so a second worker process joins in and ``send_outbound`` tasks queued
    meanwhile are not starved. A drain that finds the list empty clears the flag and
    looks once more, so an id pushed while the flag was being cleared is never left
    without a drain.

``task`` (the embedded default: SQLite, kombu's filesystem broker, no Redis)
    One ``process_inbound`` task per SMS, as before: the filesystem broker writes one
    small file per task, well within P7's 100 ingests/s, and there is no Redis to hold
    a list. The worker of ``make run`` is unchanged.

Either way the row is the truth: ``inbound_process`` is idempotent on the row's status
(an id drained twice, or drained after the sweep took it, is a no-op), and
``sweep_inbound`` still processes every row left pending (Redis down at the webhook, a
list lost with its Redis, a drain killed before its redelivery).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

import redis
from django.conf import settings
from django.db import transaction
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

LIST_KEY = "veille:inbound:ids"
FLAG_KEY = "veille:inbound:drain"
CLAIM_PREFIX = "veille:inbound:claimed:"
# A scheduled drain holds the flag this long at most: a drain lost for good (its task
# gone with its Redis) stops holding back the next publish after this.
FLAG_SECONDS = 30
# A claimed batch outlives its drain this long (the redelivery comes within the
# broker's visibility timeout); after that the sweep has the rows anyway.
CLAIM_SECONDS = 3600

# A drain's place in the broker's priority queue: after the relay notices and alerts
# (Priority.URGENT 0, NORMAL 5), before the answers to residents (REPLY 7) and
# broadcasts (BULK 9): a notice queued by one drain goes before the continuation drains
# queued earlier (a batch's processing each), which at the default 5 it followed.
DRAIN_PRIORITY = 6

# A drain publishes the SMS its messages queued (receipts, relay notices) after every
# this many messages: one task per priority for them all, where each report published
# two. At about 12 ms per report the first notice of a group waits some 50 ms more.
SENDS_PUBLISHED_EVERY = 5

# Moves up to ARGV[1] ids from the head of the list to the claim list, atomically.
_CLAIM = """
local ids = redis.call('LPOP', KEYS[1], tonumber(ARGV[1]))
if not ids then return {} end
redis.call('RPUSH', KEYS[2], unpack(ids))
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[2]))
return ids
"""

# One client (and its connection pool) per process and broker URL: building one per
# request cost a pool, a parse of the URL and a new TCP connection. redis-py's pool
# notices a fork and reconnects, so gunicorn's and Celery's forked children are safe.
_clients: dict[str, redis.Redis] = {}
# gunicorn's threads share the process: two first requests at once each built a client,
# one replaced the other in ``_clients``, and the one dropped closed its pool as it was
# collected, in the middle of the other request's connect ("I/O operation on closed
# file", a 500 at a worker's start). One client is built, under this lock.
_clients_lock = threading.Lock()


def _broker_url() -> str:
    from veille.celery import app

    return str(app.conf.broker_url or "")


def client() -> redis.Redis:
    url = _broker_url()
    found = _clients.get(url)
    if found is None:
        with _clients_lock:
            found = _clients.get(url) or _new_client(url)
            _clients[url] = found
    return found


def _new_client(url: str) -> redis.Redis:
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
    # The broker's own timeouts: a refused connection fails at once, a hung Redis
    # within the socket timeout, so the webhook answers well inside Twilio's 15 s.
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=options.get("socket_connect_timeout", 1),
        socket_timeout=options.get("socket_timeout", 5),
        # One immediate retry on a broken connection (a pooled one from before a Redis
        # restart), none on a timeout: redis-py's default (three, with back-off)
        # would hold a webhook for three socket timeouts on a hung Redis.
        retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
    )


def uses_list() -> bool:
    return settings.INBOUND_HANDOFF == "list"


def inbound_hand_off(inbound_id: int) -> None:
    """After the current transaction commits, hand the stored SMS to a worker. A dead
    broker is not an error: the row stays pending and the sweep takes it."""
    if uses_list():
        transaction.on_commit(lambda: _push(inbound_id))
    else:
        from messaging import services, tasks

        services.enqueue_after_commit(tasks.process_inbound, inbound_id)


def _push(inbound_id: int) -> None:
    try:
        with client().pipeline(transaction=False) as pipe:
            pipe.rpush(LIST_KEY, inbound_id)
            pipe.set(FLAG_KEY, "1", nx=True, ex=FLAG_SECONDS)
            _, scheduled = pipe.execute()
    except Exception as exc:
        # Whatever the push met (Redis down, or redis-py raising ValueError on a socket
        # closed under it), the row is stored: the sweep takes it, and the webhook
        # still answers 200 rather than a 500 the provider would retry.
        logger.warning("broker unavailable (%s); inbound %s left for the sweep", type(exc).__name__, inbound_id)
        return
    if scheduled:
        _publish_drain()


def _publish_drain() -> None:
    from messaging import services, tasks

    # Through the same guard as every publish: eager runs (tests, demos) and a broker
    # that fails between the push and the publish only delay the work.
    services.enqueue_after_commit(tasks.drain_inbound, priority=DRAIN_PRIORITY)


def drain_kick() -> bool:
    """Publish a drain if ids wait and none is scheduled (the sweep calls this: a list
    left behind by a lost drain is taken again within one sweep period)."""
    if not uses_list():
        return False
    try:
        conn = client()
        if not conn.llen(LIST_KEY) or not conn.set(FLAG_KEY, "1", nx=True, ex=FLAG_SECONDS):
            return False
    except (redis.RedisError, OSError) as exc:
        logger.warning("broker unavailable (%s); no drain kicked", type(exc).__name__)
        return False
    _publish_drain()
    return True


def drain(*, drain_id: str) -> dict[str, int]:
    """One drain's turn: its own claimed batch (a redelivery), else a new batch.

    Each id goes through ``inbound_process`` exactly as the per-SMS task did; one that
    raises is handed to ``process_inbound`` (its retries and back-off), the others go on.
    """
    from messaging import services, tasks

    conn = client()
    claim_key = CLAIM_PREFIX + drain_id
    ids = [int(raw) for raw in conn.lrange(claim_key, 0, -1)]
    if not ids:
        batch = conn.eval(_CLAIM, 2, LIST_KEY, claim_key, settings.INBOUND_DRAIN_BATCH, CLAIM_SECONDS)
        ids = [int(raw) for raw in batch]
    done = {"claimed": len(ids), "processed": 0, "errors": 0}
    if ids and conn.llen(LIST_KEY):
        # More is waiting: the next turn is queued now, behind whatever else is queued,
        # and another worker process may take it while this one works.
        conn.expire(FLAG_KEY, FLAG_SECONDS)
        continues = _publish_now()
    else:
        continues = False
    with services.copy_deletions_batched() as copies, services.sends_batched() as sends:
        for position, inbound_id in enumerate(ids, start=1):
            try:
                if services.inbound_process(inbound_id=inbound_id) == "processed":
                    done["processed"] += 1
            except Exception:
                # The row counted its attempt and stays pending; the per-SMS task retries
                # it with back-off (and the sweep still has it if that publish fails).
                done["errors"] += 1
                services.enqueue_after_commit(tasks.process_inbound, inbound_id, countdown=5)
            if position % SENDS_PUBLISHED_EVERY == 0 or position == len(ids):
                # The receipts and notices of the last few messages, one task per
                # priority: a notice waits for a few reports' processing, not a batch's.
                services.publish_batched_sends(sends)
    if copies:
        # The batch's copies at the provider, deleted by one task. A lost publish leaves
        # them to the provider's own retention, as a lost per-message task did.
        services.enqueue_after_commit(tasks.delete_provider_copies, copies)
    conn.delete(claim_key)
    if not continues:
        _release(conn)
    return done


def _release(conn: Any) -> None:
    """Clear the flag, then look once more: an id pushed after this drain's last look but
    before the flag was cleared found the flag set and published nothing."""
    conn.delete(FLAG_KEY)
    if conn.llen(LIST_KEY) and conn.set(FLAG_KEY, "1", nx=True, ex=FLAG_SECONDS):
        _publish_now()


def _publish_now() -> bool:
    """Queue the next drain from inside a drain. A failed publish leaves the ids in the
    list: the flag expires and the sweep kicks a drain (``drain_kick``)."""
    from messaging import tasks

    try:
        tasks.drain_inbound.apply_async(priority=DRAIN_PRIORITY)
    except Exception as exc:
        logger.warning("next inbound drain not queued (%s); left for the sweep", type(exc).__name__)
        return False
    return True


@dataclass(frozen=True)
class ListState:
    """The hand-off list as a scrape sees it (``messaging.metrics.collect_handoff``)."""

    waiting: int  # ids pushed by the webhooks, not yet claimed by a drain
    claimed: int  # ids claimed by drains still working (or killed, awaiting redelivery)
    drain_scheduled: bool  # the flag: a drain is published or running


def list_state() -> ListState | None:
    """None in task mode. A Redis error is raised, not hidden: the scrape then shows
    this collector failed, where a 0 would read as "nothing waiting"."""
    if not uses_list():
        return None
    conn = client()
    claim_keys = list(conn.scan_iter(match=CLAIM_PREFIX + "*", count=100))
    with conn.pipeline(transaction=False) as pipe:
        pipe.llen(LIST_KEY)
        pipe.exists(FLAG_KEY)
        for key in claim_keys:
            pipe.llen(key)
        waiting, scheduled, *claimed = pipe.execute()
    return ListState(waiting=int(waiting), claimed=sum(int(n) for n in claimed), drain_scheduled=bool(scheduled))


def pending_in_list() -> int:
    """Ids waiting in the list (for the health checks and benchmarks); 0 in task mode."""
    if not uses_list():
        return 0
    try:
        return int(client().llen(LIST_KEY))
    except (redis.RedisError, OSError):
        return 0
