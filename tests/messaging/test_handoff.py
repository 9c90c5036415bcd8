"""The inbound hand-off in "list" mode (messaging/handoff.py): a Redis list of ids, one
drain task per burst, the row's status deciding what is done.

These run on any database against a real Redis: REDIS_URL when set, else
HANDOFF_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/6); skipped without either. Tasks
are eager (the test settings), so a published drain runs inline, as a worker would run it.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest
import redis

from messaging import handoff, services, tasks
from messaging.models import InboundMessage, InboundStatus
from reporting.models import Report
from veille.phones import pseudonym_for

pytestmark = pytest.mark.django_db

REDIS_FOR_TESTS = os.environ.get("REDIS_URL") or os.environ.get("HANDOFF_TEST_REDIS_URL", "")
BODY = "attaque au marche de Boni, 3 blesses"


def _reachable(url: str) -> bool:
    if not url:
        return False
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


requires_redis = pytest.mark.skipif(
    not _reachable(REDIS_FOR_TESTS), reason="no Redis for the hand-off (set HANDOFF_TEST_REDIS_URL)"
)


def _point_broker_at(url: str) -> None:
    from veille.celery import app

    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def list_mode(settings) -> Iterator[redis.Redis]:
    """The hand-off on a real Redis; its keys cleared before and after."""
    from veille.celery import app

    settings.INBOUND_HANDOFF = "list"
    before = app.conf.broker_url
    _point_broker_at(REDIS_FOR_TESTS)
    conn = redis.Redis.from_url(REDIS_FOR_TESTS)
    keys = [handoff.LIST_KEY, handoff.FLAG_KEY, *conn.keys(handoff.CLAIM_PREFIX + "*")]
    conn.delete(*keys)
    try:
        yield conn
    finally:
        conn.delete(handoff.LIST_KEY, handoff.FLAG_KEY, *conn.keys(handoff.CLAIM_PREFIX + "*"))
        _point_broker_at(before)
        conn.close()


def queued_ids(conn: redis.Redis) -> list[int]:
    return [int(raw) for raw in conn.lrange(handoff.LIST_KEY, 0, -1)]


def statuses() -> list[str]:
    return list(InboundMessage.objects.order_by("pk").values_list("status", flat=True))


@requires_redis
def test_an_sms_arriving_when_no_drain_is_scheduled_is_processed_at_once(list_mode, phone, gazetteer, outbox):
    assert phone.send(BODY).status_code == 200

    # The push set the flag and published the drain (eager: it ran inline and finished).
    assert statuses() == [InboundStatus.PROCESSED]
    assert Report.objects.count() == 1
    assert queued_ids(list_mode) == []
    assert list_mode.exists(handoff.FLAG_KEY) == 0  # released by the drain that ran


@requires_redis
def test_sms_arriving_while_a_drain_is_scheduled_only_join_the_list(list_mode, phone, gazetteer, outbox):
    list_mode.set(handoff.FLAG_KEY, "1")  # a drain is queued, not yet run

    for n in range(3):
        assert phone.send(f"{BODY} ({n})").status_code == 200

    ids = list(InboundMessage.objects.order_by("pk").values_list("pk", flat=True))
    assert queued_ids(list_mode) == ids  # in arrival order, nothing published, nothing run
    assert statuses() == [InboundStatus.PENDING] * 3

    outcome = tasks.drain_inbound.apply().get()

    assert outcome == {"claimed": 3, "processed": 3, "errors": 0}
    assert statuses() == [InboundStatus.PROCESSED] * 3
    assert queued_ids(list_mode) == []
    assert list_mode.exists(handoff.FLAG_KEY) == 0


@requires_redis
def test_a_backlog_is_taken_in_batches_each_queueing_the_next(list_mode, phone, gazetteer, outbox, settings):
    settings.INBOUND_DRAIN_BATCH = 2
    list_mode.set(handoff.FLAG_KEY, "1")
    for n in range(5):
        phone.send(f"{BODY} ({n})")

    # The first turn takes two and queues the next turn (eager: it runs inline), and so on.
    first = tasks.drain_inbound.apply().get()

    assert first["claimed"] == 2
    assert statuses() == [InboundStatus.PROCESSED] * 5
    assert queued_ids(list_mode) == []
    assert list_mode.exists(handoff.FLAG_KEY) == 0


@requires_redis
def test_an_id_already_processed_is_a_no_op_when_drained(list_mode, phone, gazetteer, outbox):
    phone.send(BODY)
    message = InboundMessage.objects.get()
    assert message.status == InboundStatus.PROCESSED
    list_mode.rpush(handoff.LIST_KEY, message.pk, message.pk)  # a stale or doubled push
    list_mode.set(handoff.FLAG_KEY, "1")

    outcome = tasks.drain_inbound.apply().get()

    assert outcome == {"claimed": 2, "processed": 0, "errors": 0}
    again = InboundMessage.objects.get()
    assert (again.attempts, again.processed_at) == (message.attempts, message.processed_at)
    assert Report.objects.get().message_count == 1
    assert len(outbox) == 1  # one receipt, not three


@requires_redis
def test_a_redelivered_drain_first_takes_the_batch_it_had_claimed(list_mode, phone, gazetteer, outbox):
    list_mode.set(handoff.FLAG_KEY, "1")
    phone.send(BODY)
    phone.send(BODY + " encore")
    first, second = InboundMessage.objects.order_by("pk").values_list("pk", flat=True)
    # A drain claimed the first id and its worker was killed: the id is out of the list,
    # in the drain's own claim list, and the task comes back with the same id.
    claimed = handoff.client().eval(handoff._CLAIM, 2, handoff.LIST_KEY, handoff.CLAIM_PREFIX + "T1", 1, 60)
    assert [int(x) for x in claimed] == [first]

    outcome = handoff.drain(drain_id="T1")

    assert outcome["claimed"] == 1  # its own batch, then a continuation for the rest
    assert statuses() == [InboundStatus.PROCESSED, InboundStatus.PROCESSED]
    assert list_mode.exists(handoff.CLAIM_PREFIX + "T1") == 0
    assert second not in queued_ids(list_mode)


@requires_redis
def test_an_id_pushed_while_the_flag_is_cleared_gets_a_drain(list_mode, phone, gazetteer, outbox):
    list_mode.set(handoff.FLAG_KEY, "1")
    phone.send(BODY)
    # The drain found the list empty (its last look), then this id arrived, saw the flag
    # still set and published nothing: the release must look again.
    handoff._release(handoff.client())

    assert statuses() == [InboundStatus.PROCESSED]
    assert list_mode.exists(handoff.FLAG_KEY) == 0


@requires_redis
def test_an_id_that_fails_is_handed_to_the_per_sms_task(
    list_mode, phone, gazetteer, outbox, monkeypatch, django_capture_on_commit_callbacks
):
    list_mode.set(handoff.FLAG_KEY, "1")
    phone.send(BODY)
    inbound_id = InboundMessage.objects.get().pk
    calls = {"n": 0}
    real = services.inbound_process

    def flaky(*, inbound_id: int) -> str:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("database hiccup")
        return real(inbound_id=inbound_id)

    monkeypatch.setattr(services, "inbound_process", flaky)

    with django_capture_on_commit_callbacks(execute=True):
        outcome = tasks.drain_inbound.apply().get()

    # The drain counted the error and queued process_inbound (eager: it ran and succeeded).
    assert outcome == {"claimed": 1, "processed": 0, "errors": 1}
    assert InboundMessage.objects.get(pk=inbound_id).status == InboundStatus.PROCESSED


def _dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@requires_redis
def test_redis_down_at_the_webhook_loses_nothing(list_mode, phone, gazetteer, outbox, settings, caplog):
    settings.SWEEP_GRACE_SECONDS = 0
    _point_broker_at(_dead_url())

    assert phone.send(BODY).status_code == 200

    assert statuses() == [InboundStatus.PENDING]
    assert "left for the sweep" in caplog.text
    _point_broker_at(REDIS_FOR_TESTS)
    assert tasks.sweep_inbound() == {"processed": 1, "errors": 0}
    assert statuses() == [InboundStatus.PROCESSED]
    assert Report.objects.count() == 1


@requires_redis
def test_the_sweep_kicks_a_drain_for_ids_a_lost_drain_left(
    list_mode, phone, gazetteer, outbox, settings, django_capture_on_commit_callbacks
):
    settings.SWEEP_GRACE_SECONDS = 3600  # the rows are too young for the sweep itself
    list_mode.set(handoff.FLAG_KEY, "1", ex=60)
    phone.send(BODY)
    list_mode.delete(handoff.FLAG_KEY)  # the drain that held it is gone (its flag expired)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sweep_inbound() == {"processed": 0, "errors": 0}

    assert statuses() == [InboundStatus.PROCESSED]  # by the drain the sweep published
    assert queued_ids(list_mode) == []


def test_the_embedded_default_hands_off_one_task_per_sms(phone, gazetteer, outbox, settings, monkeypatch):
    """Task mode (no Redis): process_inbound per SMS, as the filesystem broker carries it."""
    assert settings.INBOUND_HANDOFF == ("list" if os.environ.get("REDIS_URL") else "task")
    settings.INBOUND_HANDOFF = "task"
    published: list[tuple] = []
    real = tasks.process_inbound.apply_async

    def recording(*args, **kwargs):
        published.append(kwargs.get("args") or args)
        return real(*args, **kwargs)

    monkeypatch.setattr(tasks.process_inbound, "apply_async", recording)

    phone.send(BODY)

    assert [list(args) for args in published] == [[InboundMessage.objects.get().pk]]
    assert statuses() == [InboundStatus.PROCESSED]


def test_the_webhook_s_own_insert_stores_what_the_orm_would(transactional_db, gazetteer, monkeypatch):
    """Outside a transaction (the webhook's case) the row is written by one prepared
    INSERT (services._inbound_insert): the same row as the ORM's, encrypted payload
    included, handed off once, and a redelivery still returns the first row."""
    handed: list[int] = []
    monkeypatch.setattr(handoff, "inbound_hand_off", handed.append)  # the row alone, unprocessed

    message, created = services.inbound_store(
        provider="twilio", provider_message_id="SM" + "a" * 32, sender="76 12 34 56", body=BODY, num_media=1
    )
    again, created_again = services.inbound_store(
        provider="twilio", provider_message_id="SM" + "a" * 32, sender="76 12 34 56", body="other"
    )

    stored = InboundMessage.objects.get()
    assert (created, created_again) == (True, False)
    assert message.pk == again.pk == stored.pk
    assert handed == [stored.pk]
    assert not message._state.adding
    assert stored.payload == {"body": BODY, "num_media": 1, "reply_to": "+22376123456"}
    assert (stored.status, stored.attempts) == (InboundStatus.PENDING, 0)
    assert stored.sender_pseudonym == pseudonym_for("+22376123456")


@requires_redis
def test_a_drained_batch_s_provider_copies_are_deleted_by_one_task(
    list_mode, phone, gazetteer, outbox, monkeypatch, django_capture_on_commit_callbacks
):
    from messaging.backends import locmem

    list_mode.set(handoff.FLAG_KEY, "1")
    for n in range(3):
        phone.send(f"{BODY} ({n})")
    published: list[list[int]] = []
    batch_task = tasks.delete_provider_copies.apply_async

    def one_task_for_the_batch(*args, **kwargs):
        published.append(list(kwargs["args"][0]))
        return batch_task(*args, **kwargs)

    monkeypatch.setattr(tasks.delete_provider_copies, "apply_async", one_task_for_the_batch)
    monkeypatch.setattr(tasks.delete_provider_copy, "apply_async", lambda *a, **k: pytest.fail("one task per SMS"))

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.drain_inbound.apply().get()["processed"] == 3

    ids = list(InboundMessage.objects.order_by("pk").values_list("pk", flat=True))
    assert published == [ids]
    assert sorted(locmem.deleted_copies) == sorted(InboundMessage.objects.values_list("provider_message_id", flat=True))


def test_a_copy_that_fails_transiently_gets_its_own_task_and_the_others_go_on(
    monkeypatch, django_capture_on_commit_callbacks
) -> None:
    from messaging.backends import TransientSendError

    tried: list[int] = []

    def delete(*, inbound_id: int) -> bool:
        tried.append(inbound_id)
        if inbound_id == 2:
            raise TransientSendError("timeout")
        if inbound_id == 3:
            raise ValueError("a bug")
        return True

    retried: list[tuple] = []
    monkeypatch.setattr(services, "delete_provider_copy", delete)
    monkeypatch.setattr(tasks.delete_provider_copy, "apply_async", lambda *a, **k: retried.append(k["args"]))

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.delete_provider_copies.apply(args=[[1, 2, 3, 4]]).get() == 2

    assert tried == [1, 2, 3, 4]
    assert retried == [(2,)]


@requires_redis
@pytest.mark.django_db(transaction=True)
def test_a_drain_publishes_its_reports_sends_one_task_per_priority_every_few_reports(
    list_mode, client, deployment, outbox, monkeypatch
):
    from messaging.models import OutboundMessage, Priority
    from tests.conftest import TwilioPhone

    list_mode.set(handoff.FLAG_KEY, "1")  # a drain "scheduled": the webhooks only push
    for n in range(7):  # seven residents, seven reports
        TwilioPhone(client, f"+2237612340{n}").send(f"{BODY} ({n})")
    assert Report.objects.count() == 0
    published: list[tuple[int, list[int]]] = []
    many = tasks.send_outbound_many.apply_async

    def record(*args, **kwargs):
        published.append((kwargs["priority"], list(kwargs["args"][0])))
        return many(*args, **kwargs)

    monkeypatch.setattr(tasks.send_outbound_many, "apply_async", record)
    monkeypatch.setattr(tasks.send_outbound, "apply_async", lambda *a, **k: pytest.fail("one task per SMS"))

    assert tasks.drain_inbound.apply().get()["processed"] == 7

    assert Report.objects.count() == 7
    messages = {m.pk: m for m in OutboundMessage.objects.all()}
    receipts = {pk for pk, m in messages.items() if m.purpose == "resident_receipt"}
    notices = {pk for pk, m in messages.items() if m.purpose == "relay_notice"}
    assert len(receipts) == 7 and len(notices) >= 7
    # Two groups (five reports, then two), each one task of notices, then one of receipts.
    assert [priority for priority, _ in published] == [Priority.NORMAL, Priority.REPLY] * 2
    assert [len(ids) for _, ids in published][1::2] == [5, 2]
    assert set(published[0][1]) | set(published[2][1]) == notices
    assert set(published[1][1]) | set(published[3][1]) == receipts
    # Each queued SMS published once, in the order queued, and every one sent.
    every = [message_id for _, ids in published for message_id in ids]
    assert sorted(every) == sorted(messages) and all(ids == sorted(ids) for _, ids in published)
    assert len(outbox) == len(messages)


@pytest.mark.django_db(transaction=True)
def test_batched_sends_gather_only_what_committed(monkeypatch):
    from django.db import transaction

    published: list[tuple[str, object, int]] = []
    monkeypatch.setattr(
        tasks.send_outbound_many, "apply_async", lambda args, priority: published.append(("many", args[0], priority))
    )
    monkeypatch.setattr(
        tasks.send_outbound, "apply_async", lambda args, priority: published.append(("one", args[0], priority))
    )

    with services.sends_batched() as batch:
        with transaction.atomic():
            kept = services.outbound_enqueue(to_number="+22376000001", body="a", purpose="test", priority=5)
        with pytest.raises(RuntimeError), transaction.atomic():
            services.outbound_enqueue(to_number="+22376000002", body="b", purpose="test", priority=5)
            raise RuntimeError("rolled back")
        assert published == []  # nothing is published while the batch gathers
        assert batch.sends == [(5, kept.pk)]
        assert services.publish_batched_sends(batch) == 1
        assert batch.sends == []

    assert published == [("many", [kept.pk], 5)]


@pytest.mark.django_db(transaction=True)
def test_a_send_committed_after_its_batch_closed_publishes_itself(monkeypatch):
    from django.db import transaction

    published: list[int] = []
    monkeypatch.setattr(tasks.send_outbound, "apply_async", lambda args, priority: published.append(args[0]))

    with transaction.atomic():  # the drain's block runs inside a longer transaction
        with services.sends_batched() as batch:
            message = services.outbound_enqueue(to_number="+22376000001", body="a", purpose="test")
        assert published == [] and batch.sends == []

    assert published == [message.pk]  # not lost in a batch nobody will publish again


@requires_redis
def test_the_hand_off_list_is_shown_in_the_metrics(list_mode, client, settings):
    from prometheus_client.parser import text_string_to_metric_families

    settings.METRICS_TOKEN = "metrics-token-0123456789abcdef"

    def scrape() -> dict[str, float]:
        response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {settings.METRICS_TOKEN}")
        assert response.status_code == 200
        return {
            sample.name: sample.value
            for family in text_string_to_metric_families(response.content.decode())
            for sample in family.samples
            if sample.name.startswith("veille_inbound_handoff_")
            or sample.labels.get("collector") == "messaging.metrics.collect_handoff"
        }

    assert scrape() == {
        "veille_inbound_handoff_waiting": 0,
        "veille_inbound_handoff_claimed": 0,
        "veille_inbound_handoff_drain_scheduled": 0,
        "veille_metrics_collector_errors": 0,
    }
    list_mode.rpush(handoff.LIST_KEY, 1, 2, 3)
    list_mode.set(handoff.FLAG_KEY, "1")
    list_mode.rpush(handoff.CLAIM_PREFIX + "killed-drain", 4, 5)  # a drain lost mid-batch

    seen = scrape()
    assert (seen["veille_inbound_handoff_waiting"], seen["veille_inbound_handoff_claimed"]) == (3, 2)
    assert seen["veille_inbound_handoff_drain_scheduled"] == 1

    # Redis unreachable: the figures are missing and the collector says it failed (a 0
    # would read as "nothing waiting").
    handoff._clients.clear()
    _point_broker_at("redis://127.0.0.1:1/0")
    try:
        assert scrape() == {"veille_metrics_collector_errors": 1}
    finally:
        handoff._clients.clear()
        _point_broker_at(REDIS_FOR_TESTS)


def test_the_task_hand_off_has_no_list_to_show(settings):
    from messaging.metrics import collect_handoff

    settings.INBOUND_HANDOFF = "task"
    assert list(collect_handoff()) == []


@requires_redis
def test_a_drain_is_queued_after_relay_notices_and_before_answers_to_residents(
    list_mode, phone, gazetteer, outbox, monkeypatch, settings
):
    from messaging.models import Priority

    priorities: list[int] = []
    real = tasks.drain_inbound.apply_async

    def recording(*args, **kwargs):
        priorities.append(kwargs.get("priority"))
        return real(*args, **kwargs)

    monkeypatch.setattr(tasks.drain_inbound, "apply_async", recording)
    settings.INBOUND_DRAIN_BATCH = 1
    phone.send(BODY)  # the first drain, published by the webhook
    list_mode.rpush(handoff.LIST_KEY, 998, 999)  # more waiting: the drain queues its next turn
    tasks.drain_inbound.apply()

    assert priorities and set(priorities) == {handoff.DRAIN_PRIORITY}
    assert Priority.NORMAL < handoff.DRAIN_PRIORITY < Priority.REPLY


@requires_redis
def test_a_socket_closed_under_the_push_still_answers_200_and_loses_nothing(
    list_mode, phone, gazetteer, outbox, settings, caplog, monkeypatch
):
    """redis-py raises ValueError, not a RedisError, on a socket closed under it."""
    settings.SWEEP_GRACE_SECONDS = 0

    def closed_under_it(*args, **kwargs):
        raise ValueError("I/O operation on closed file.")

    monkeypatch.setattr(redis.client.Pipeline, "execute", closed_under_it)
    assert phone.send(BODY).status_code == 200
    monkeypatch.undo()

    assert statuses() == [InboundStatus.PENDING]
    assert "broker unavailable (ValueError)" in caplog.text
    assert tasks.sweep_inbound() == {"processed": 1, "errors": 0}
    assert statuses() == [InboundStatus.PROCESSED]


def test_threads_asking_for_the_client_at_once_share_one(monkeypatch):
    import threading
    import time

    handoff._clients.clear()
    built: list[object] = []

    def slow_build(url: str):
        time.sleep(0.05)  # long enough for every thread to ask meanwhile
        made = object()  # stands for the client: only how many are built matters here
        built.append(made)
        return made

    monkeypatch.setattr(handoff, "_new_client", slow_build)
    barrier = threading.Barrier(4)
    got: list[object] = []

    def ask() -> None:
        barrier.wait()
        got.append(handoff.client())

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    handoff._clients.clear()

    assert len(built) == 1  # one client, so none is dropped (and closed) under another
    assert len(got) == 4 and all(client is built[0] for client in got)
