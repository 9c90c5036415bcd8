"""The embedded broker on a full disk: no broken message file is left in the queue, and
one left by an older version (or a crash) is set aside instead of stopping the worker."""

from __future__ import annotations

import errno
import uuid
from pathlib import Path
from unittest import mock

import pytest
from kombu import Connection, Exchange, Queue
from kombu.exceptions import ChannelError


@pytest.fixture
def folders(tmp_path: Path) -> dict[str, str]:
    paths = {name: tmp_path / name for name in ("queue", "processed", "control")}
    for path in paths.values():
        path.mkdir()
    return {
        "data_folder_in": str(paths["queue"]),
        "data_folder_out": str(paths["queue"]),
        "processed_folder": str(paths["processed"]),
        "control_folder": str(paths["control"]),
    }


def connect(folders) -> Connection:
    return Connection("filesystem://", transport="veille.broker:Transport", transport_options=folders)


@pytest.fixture
def queue() -> Queue:
    # kombu keeps declared exchanges in memory per transport class: a fresh name per test
    # makes each one bind in its own control folder.
    name = f"q{uuid.uuid4().hex[:8]}"
    return Queue(name, Exchange(name, type="direct"), routing_key=name)


def test_a_write_that_fails_leaves_no_file_in_the_queue(folders, queue):
    real_open = open

    class FullDisk:
        def __init__(self, *args, **kwargs):
            self.handle = real_open(*args, **kwargs)

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

    with connect(folders) as conn:
        producer = conn.Producer()
        producer.publish({"ok": 1}, exchange=queue.exchange, routing_key=queue.routing_key, declare=[queue])
        with mock.patch("veille.broker.open", FullDisk, create=True), pytest.raises(ChannelError):
            producer.publish({"lost": 1}, exchange=queue.exchange, routing_key=queue.routing_key)
        assert len(list(Path(folders["data_folder_in"]).iterdir())) == 1  # only the whole one

        got = conn.SimpleQueue(queue).get(timeout=1)
        assert got.payload == {"ok": 1}


def test_an_unreadable_message_file_is_set_aside_and_the_next_one_delivered(folders, queue):
    with connect(folders) as conn:
        producer = conn.Producer()
        producer.publish({"ok": 2}, exchange=queue.exchange, routing_key=queue.routing_key, declare=[queue])
        # What kombu's own transport leaves on a full disk: an empty file, sorted first.
        (Path(folders["data_folder_in"]) / f"0_broken.{queue.name}.msg").write_bytes(b"")

        got = conn.SimpleQueue(queue).get(timeout=1)

    assert got.payload == {"ok": 2}
    assert [p.name for p in Path(folders["processed_folder"]).iterdir()] == [f"0_broken.{queue.name}.msg.corrupt"]


def test_an_empty_exchange_table_does_not_stop_a_worker_binding_its_queue(folders, queue):
    (Path(folders["control_folder"]) / f"{queue.name}.exchange").write_bytes(b"")
    with connect(folders) as conn:
        producer = conn.Producer()
        producer.publish({"ok": 3}, exchange=queue.exchange, routing_key=queue.routing_key, declare=[queue])
        assert conn.SimpleQueue(queue).get(timeout=1).payload == {"ok": 3}
