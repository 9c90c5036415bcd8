"""Gateway phones watched: pings, send outcomes, down and up, coordinators warned.

A phone of the Android gateway holds a local SIM; it can run flat, lose its network or
be switched off. It is *down* when it has not pinged for
``ANDROID_GATEWAY_PING_TIMEOUT_MINUTES``, or when its sends have only failed for
``ANDROID_GATEWAY_FAILURE_MINUTES`` or ``ANDROID_GATEWAY_FAILURES_BEFORE_DOWN`` times in
a row. While down, routing skips it (its SMS go by the next provider of their route),
except for one trial send every ``ANDROID_GATEWAY_RETRY_MINUTES``; a ping after a
ping-outage, or a successful send, brings it back. Every change is a ``GatewayEvent``;
the handlers in ``GATEWAY_DOWN_HANDLERS`` warn the coordinators once per outage.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from messaging.models import GatewayDevice, GatewayEvent, GatewayState

logger = logging.getLogger(__name__)

NO_PING = "no ping"
SEND_FAILURES = "send failures"


def _device(provider: str, device_id: str) -> GatewayDevice:
    device, _ = GatewayDevice.objects.get_or_create(provider=provider, device_id=device_id[:64])
    return device


def _mark_down(device: GatewayDevice, reason: str, now: datetime) -> None:
    device.state = GatewayState.DOWN
    device.down_since = now
    device.down_reason = reason
    device.save(update_fields=["state", "down_since", "down_reason"])
    GatewayEvent.objects.create(device=device, kind="down", detail=reason)
    logger.warning("gateway %s:%s down (%s)", device.provider, device.device_id or "default", reason)


def _mark_up(device: GatewayDevice, reason: str) -> None:
    device.state = GatewayState.UP
    device.down_since = None
    device.down_reason = ""
    device.save(update_fields=["state", "down_since", "down_reason"])
    GatewayEvent.objects.create(device=device, kind="up", detail=reason)
    logger.info("gateway %s:%s up again (%s)", device.provider, device.device_id or "default", reason)


@transaction.atomic
def gateway_ping(*, provider: str, device_id: str) -> None:
    now = timezone.now()
    device = GatewayDevice.objects.select_for_update().filter(pk=_device(provider, device_id).pk).get()
    device.last_ping_at = now
    device.save(update_fields=["last_ping_at"])
    if device.state == GatewayState.DOWN and device.down_reason == NO_PING:
        _mark_up(device, "ping")


@transaction.atomic
def gateway_record_send(*, provider: str, device_id: str, ok: bool, detail: str = "") -> None:
    now = timezone.now()
    device = GatewayDevice.objects.select_for_update().filter(pk=_device(provider, device_id).pk).get()
    device.last_attempt_at = now
    if ok:
        device.last_success_at = now
        device.failing_since = None
        device.consecutive_failures = 0
        device.save(update_fields=["last_attempt_at", "last_success_at", "failing_since", "consecutive_failures"])
        if device.state == GatewayState.DOWN:
            _mark_up(device, "send succeeded")
        return
    device.failing_since = device.failing_since or now
    device.consecutive_failures += 1
    device.save(update_fields=["last_attempt_at", "failing_since", "consecutive_failures"])
    if device.state == GatewayState.UP and device.consecutive_failures >= settings.ANDROID_GATEWAY_FAILURES_BEFORE_DOWN:
        _mark_down(device, SEND_FAILURES, now)


def gateway_available(*, provider: str, device_id: str) -> bool:
    """Up, never seen, or down but due for a trial send."""
    row = (
        GatewayDevice.objects.filter(provider=provider, device_id=device_id)
        .values_list("state", "last_attempt_at", "down_since")
        .first()
    )
    if row is None or row[0] == GatewayState.UP:
        return True
    last_try = max(filter(None, [row[1], row[2]]), default=None)
    retry = timedelta(minutes=settings.ANDROID_GATEWAY_RETRY_MINUTES)
    return last_try is None or last_try <= timezone.now() - retry


@lru_cache(maxsize=4)
def _down_handlers(paths: tuple[str, ...]) -> list:
    return [import_string(path) for path in paths]


def gateways_watch(*, provider: str, device_ids: list[str], now: datetime | None = None) -> dict[str, int]:
    """The periodic check: mark silent or only-failing phones down; warn once per outage."""
    now = now or timezone.now()
    ping_cutoff = now - timedelta(minutes=settings.ANDROID_GATEWAY_PING_TIMEOUT_MINUTES)
    failure_cutoff = now - timedelta(minutes=settings.ANDROID_GATEWAY_FAILURE_MINUTES)
    done = {"down": 0, "warned": 0}
    for device_id in device_ids:
        _device(provider, device_id)  # a configured phone that never pinged is watched too
    for device in GatewayDevice.objects.filter(provider=provider):
        with transaction.atomic():
            device = GatewayDevice.objects.select_for_update().get(pk=device.pk)
            if device.state == GatewayState.UP:
                if (device.last_ping_at or device.created_at) < ping_cutoff:
                    _mark_down(device, NO_PING, now)
                    done["down"] += 1
                elif device.failing_since and device.failing_since < failure_cutoff:
                    _mark_down(device, SEND_FAILURES, now)
                    done["down"] += 1
            if device.state == GatewayState.DOWN and (device.warned_at is None or device.warned_at < device.down_since):
                device.warned_at = now
                device.save(update_fields=["warned_at"])
                GatewayEvent.objects.create(device=device, kind="warned", detail=device.down_reason)
                transaction.on_commit(lambda device=device: _warn(device))
                done["warned"] += 1
    return done


def _warn(device: GatewayDevice) -> None:
    for handler in _down_handlers(tuple(settings.GATEWAY_DOWN_HANDLERS)):
        try:
            handler(device)
        except Exception:
            logger.exception("gateway-down handler failed")


def gateways_down() -> list[GatewayDevice]:
    return list(GatewayDevice.objects.filter(state=GatewayState.DOWN).order_by("down_since"))


def provider_events_purge() -> int:
    from messaging.models import ProviderEvent

    cutoff = timezone.now() - timedelta(days=settings.PROVIDER_EVENT_RETENTION_DAYS)
    deleted, _ = ProviderEvent.objects.filter(received_at__lt=cutoff).delete()
    return deleted
