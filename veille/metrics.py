"""Prometheus metrics at ``/metrics``, behind ``Authorization: Bearer <METRICS_TOKEN>``.

Every value is computed at scrape time from shared state (the database, the broker, the
cache), never from one process's memory: gunicorn runs several web processes and Celery
several workers, in several containers, and a scrape reaches only one of them. That is
also why task latency is kept in the cache (see ``veille.task_metrics``) rather than in
prometheus-client's per-process registry or its multiprocess mode (which needs one shared
folder for every process, impossible across containers).

Collectors are listed by dotted path in ``settings.METRICS_COLLECTORS`` (each a callable
returning metric families), so this module imports no app. No label carries anything
personal: statuses, priorities, providers, severities and task names only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import cache

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from veille.health import bearer_token_is_valid, run_checks

logger = logging.getLogger(__name__)


@cache
def _load(path: str) -> Callable[[], Iterable[Metric]]:
    return import_string(path)


class _SettingsCollector(Collector):
    def collect(self) -> Iterable[Metric]:
        errors = GaugeMetricFamily(
            "veille_metrics_collector_errors",
            "Collectors that raised during this scrape (their metrics are missing).",
            labels=["collector"],
        )
        for path in settings.METRICS_COLLECTORS:
            try:
                yield from list(_load(path)())
                errors.add_metric([path], 0)
            except Exception as exc:
                # One failing source (the broker down) must not hide the others.
                logger.warning("metrics: %s raised %s", path, type(exc).__name__)
                errors.add_metric([path], 1)
        yield errors


def collect_readiness() -> Iterable[Metric]:
    ready = GaugeMetricFamily("veille_ready_check", "1 when the readiness check passes.", labels=["check"])
    for result in run_checks():
        ready.add_metric([result.name], 1 if result.ok else 0)
    yield ready


@require_GET
@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not settings.METRICS_TOKEN:
        raise Http404("metrics are off")  # no token configured: the endpoint does not exist
    if not bearer_token_is_valid(request):
        response = HttpResponse("unauthorized", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_SettingsCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
