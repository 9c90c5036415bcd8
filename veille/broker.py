"""kombu's filesystem transport (the embedded broker), made safe on a full disk.

kombu opens the message file under its final name and then writes it. On a full disk
the write fails, the publisher is told (ChannelError), but the empty file stays in the
queue folder; the worker then reads it, fails to decode it and stops for good
("Unrecoverable error: JSONDecodeError"). Everything after that waits, though nothing is
lost, until someone restarts the worker. Here:

- a message is written under a name the consumer ignores, flushed, then renamed to its
  final name: the queue only ever holds whole messages;
- an exchange table (the control folder) is rewritten the same way, and one left empty
  by an older version on a full disk reads as empty instead of stopping every worker
  at start;
- a file that cannot be decoded anyway (written by an older version, a crash) is moved
  aside to the processed folder as ``*.corrupt`` and logged, and the worker goes on.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.transport.virtual import Empty
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

logger = logging.getLogger(__name__)


def _write_whole(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` so that ``path`` is either untouched or whole."""
    partial = f"{os.path.dirname(path)}/.partial-{uuid.uuid4()}.tmp"
    try:
        with open(partial, "wb", buffering=0) as out:
            out.write(data)
        os.rename(partial, path)
    except OSError:
        try:
            os.unlink(partial)
        except OSError:
            pass
        raise


class Channel(filesystem.Channel):
    def get_table(self, exchange: str) -> list:
        try:
            return super().get_table(exchange)
        except ValueError:
            logger.error("embedded broker: exchange table %s unreadable, taken as empty", exchange)
            return []

    def _queue_bind(self, exchange: str, routing_key: str, pattern: str, queue: str) -> None:
        file = self._exchange_file(exchange)
        self.control_folder.mkdir(exist_ok=True)
        entry = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        queues = self.get_table(exchange)
        if entry in queues:
            return
        try:
            _write_whole(str(file), str_to_bytes(dumps([entry, *queues])))
        except OSError as exc:
            raise ChannelError(f"Cannot write {file}: {exc.strerror}") from exc

    def _put(self, queue: str, payload: dict, **kwargs) -> None:
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        try:
            # The partial name is not "<x>.<queue>.msg": consumers skip it until renamed.
            _write_whole(os.path.join(self.data_folder_out, name), str_to_bytes(dumps(payload)))
        except OSError as exc:
            raise ChannelError(f"Cannot add file {name!r} to directory: {exc.strerror}") from exc

    def _get(self, queue: str) -> dict:
        queue_find = f"{queue}.msg"
        for filename in sorted(os.listdir(self.data_folder_in)):
            if filename.partition(".")[2] != queue_find:
                continue
            processed_folder = self.processed_folder if self.store_processed else tempfile.gettempdir()
            try:
                shutil.move(os.path.join(self.data_folder_in, filename), processed_folder)
            except OSError:
                continue  # taken by another consumer meanwhile
            path = os.path.join(processed_folder, filename)
            try:
                with open(path, "rb") as handle:
                    payload = handle.read()
                message = loads(bytes_to_str(payload))
            except ValueError:
                aside = os.path.join(self.processed_folder, filename + ".corrupt")
                os.makedirs(self.processed_folder, exist_ok=True)
                shutil.move(path, aside)
                logger.error("embedded broker: unreadable message file set aside as %s", aside)
                continue
            except OSError as exc:
                raise ChannelError(f"Cannot read file {filename!r} from queue.") from exc
            if not self.store_processed:
                os.remove(path)
            return message
        raise Empty()


class Transport(filesystem.Transport):
    Channel = Channel
