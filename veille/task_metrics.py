"""Celery task latency, from publication to the end of the run, for every worker.

``before_task_publish`` stamps each message with the time it was published (a header);
``task_postrun`` adds the elapsed time to a histogram kept in the shared cache (Redis in
production), so every worker process, in every container, feeds the same numbers and any
web process can serve them at ``/metrics``. Latency includes the wait in the queue: a
backlog shows here even when each task runs fast. A flushed cache resets the counters,
which Prometheus's ``rate()`` reads as a counter reset.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

from celery.signals import before_task_publish, task_postrun
from django.core.cache import cache
from prometheus_client.core import HistogramMetricFamily, Metric

from veille.cache import raw_client

logger = logging.getLogger(__name__)

HEADER = "veille_published_at"
BUCKETS = (0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, float("inf"))
TASKS_KEY = "veille:tasklat:tasks"
# Tasks are few and named in code; a cap keeps a bug from filling the cache with keys.
MAX_TASKS = 64


def _key(task: str, part: str) -> str:
    return f"veille:tasklat:{task}:{part}"


def _incr(key: str, amount: int = 1) -> None:
    try:
        cache.incr(key, amount)
    except ValueError:  # first sample, or evicted: create it
        if not cache.add(key, amount, timeout=None):
            cache.incr(key, amount)


# Task names this process saw in TASKS_KEY, and when: the list is read once a minute per
# task name and process, not on every task (a flushed cache is noticed within a minute).
_known: dict[str, float] = {}
KNOWN_FOR_SECONDS = 60.0


def record(task: str, seconds: float) -> None:
    """Two increments per task: its bucket (counts are kept per bucket, made cumulative
    at scrape time) and the sum. On Redis both go in one round trip (INCRBY creates a
    missing key), where they took three to five (the name list read, each increment
    tried then created): about 14% of the worker's CPU per report."""
    if time.monotonic() - _known.get(task, -KNOWN_FOR_SECONDS) >= KNOWN_FOR_SECONDS:
        tasks = cache.get(TASKS_KEY) or []
        if task not in tasks:
            if len(tasks) >= MAX_TASKS:
                return
            cache.set(TASKS_KEY, sorted({*tasks, task}), timeout=None)
        _known[task] = time.monotonic()
    bound = next(b for b in BUCKETS if seconds <= b)
    increments = {_key(task, f"le{bound}"): 1, _key(task, "sum_ms"): round(seconds * 1000)}
    client = raw_client(cache)
    if client is None:
        for key, amount in increments.items():
            _incr(key, amount)
        return
    pipe = client.pipeline(transaction=False)
    for key, amount in increments.items():
        pipe.incrby(cache.make_key(key), amount)
    pipe.execute()


@before_task_publish.connect
def _stamp(headers: dict[str, Any] | None = None, **_kwargs: Any) -> None:
    if headers is not None:
        headers.setdefault(HEADER, time.time())


@task_postrun.connect
def _measure(task: Any = None, **_kwargs: Any) -> None:
    published = getattr(getattr(task, "request", None), HEADER, None)
    if published is None or getattr(task.request, "is_eager", False):
        return
    try:
        record(task.name, max(0.0, time.time() - float(published)))
    except Exception as exc:
        # A cache hiccup must never fail the task that just ran.
        logger.warning("task latency not recorded: %s", type(exc).__name__)


def collect() -> Iterable[Metric]:
    family = HistogramMetricFamily(
        "veille_task_latency_seconds",
        "Seconds from a task's publication to the end of its run (queue wait included).",
        labels=["task"],
    )
    for task in cache.get(TASKS_KEY) or []:
        keys = [_key(task, f"le{bound}") for bound in BUCKETS]
        values = cache.get_many([*keys, _key(task, "sum_ms")])
        buckets, running = [], 0
        for bound, key in zip(BUCKETS, keys, strict=True):
            running += int(values.get(key, 0))
            buckets.append(("+Inf" if bound == float("inf") else str(bound), running))
        family.add_metric([task], buckets, sum_value=int(values.get(_key(task, "sum_ms"), 0)) / 1000)
    yield family
