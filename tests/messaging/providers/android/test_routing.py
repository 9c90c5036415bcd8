"""Several providers at once: routes by prefix, a phone known to be down skipped, the
coordinators warned once per outage, failover with nothing sent twice, and pacing that
lets urgent messages through a backlog."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from messaging import gateways, pacing, routing, services, tasks
from messaging.models import GatewayDevice, GatewayEvent, OutboundMessage, OutboundStatus, Priority

pytestmark = pytest.mark.django_db
MALI = "+22376123456"
ABROAD = "+33612345678"


def send(number: str = MALI, priority: int = Priority.NORMAL, purpose: str = "receipt") -> OutboundMessage:
    message = services.outbound_enqueue(to_number=number, body="Veille: test", purpose=purpose, priority=priority)
    services.outbound_send(message_id=message.pk)
    message.refresh_from_db()
    return message


def test_routes_pick_providers_by_prefix_longest_first(android, settings):
    settings.SMS_ROUTES = "+223=android,twilio;+2237=twilio;*=twilio"

    assert routing.providers_for("+22376123456") == ("twilio",)
    assert routing.providers_for("+22366123456") == ("android", "twilio")
    assert routing.providers_for(ABROAD) == ("twilio",)


def test_without_routes_every_enabled_provider_serves_every_number(android, settings):
    settings.SMS_ROUTES = ""

    assert routing.providers_for(ABROAD) == ("android", "twilio")


def test_each_message_records_the_provider_that_sent_it(android):
    assert send(MALI).provider == "android"
    assert send(ABROAD).provider == "twilio"


def test_a_phone_known_to_be_down_is_skipped_until_its_retry_time(android, settings):
    settings.ANDROID_GATEWAY_FAILURES_BEFORE_DOWN = 2
    android.gateway.down = True
    send()
    send()
    assert GatewayDevice.objects.get().state == "down"
    tried = len(android.gateway.requests)

    third = send()

    assert third.provider == "twilio"
    assert len(android.gateway.requests) == tried  # not even tried: known to be down
    # After ANDROID_GATEWAY_RETRY_MINUTES one trial send goes to the phone again.
    later = timezone.now() + timedelta(minutes=settings.ANDROID_GATEWAY_RETRY_MINUTES + 1)
    android.gateway.down = False
    with mock.patch("django.utils.timezone.now", return_value=later):
        fourth = send()
    assert fourth.provider == "android"
    assert GatewayDevice.objects.get().state == "up"
    kinds = list(GatewayEvent.objects.values_list("kind", "detail"))
    assert kinds == [("down", "send failures"), ("up", "send succeeded")]


def test_a_failover_sends_once_and_only_once(android):
    android.gateway.down = True

    message = send()

    assert message.status == OutboundStatus.SENT
    assert len(android.twilio.sends) == 1
    assert len(android.gateway.sends) == 1


def test_a_phone_that_stops_pinging_is_down_and_coordinators_are_warned_once(
    android, deployment, settings, django_capture_on_commit_callbacks
):
    gateways.gateway_ping(provider="android", device_id="")
    later = timezone.now() + timedelta(minutes=settings.ANDROID_GATEWAY_PING_TIMEOUT_MINUTES + 1)

    with mock.patch("django.utils.timezone.now", return_value=later), django_capture_on_commit_callbacks(execute=True):
        first = tasks.watch_gateways()
        second = tasks.watch_gateways()

    assert first == {"down": 1, "warned": 1}
    assert second == {"down": 0, "warned": 0}
    warnings = OutboundMessage.objects.filter(purpose="gateway_down")
    assert warnings.exists()
    # The warning cannot go through the phone that is down: it leaves by Twilio.
    assert set(warnings.values_list("provider", flat=True)) == {"twilio"}
    assert all("passerelle" in sms.form["Body"] for sms in android.twilio.sends)


def test_a_ping_brings_a_silent_phone_back(android, settings):
    gateways.gateway_ping(provider="android", device_id="")
    later = timezone.now() + timedelta(minutes=settings.ANDROID_GATEWAY_PING_TIMEOUT_MINUTES + 1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        tasks.watch_gateways()
    assert GatewayDevice.objects.get().state == "down"

    gateways.gateway_ping(provider="android", device_id="")

    assert GatewayDevice.objects.get().state == "up"


def test_a_configured_phone_that_never_pinged_is_watched_too(android, settings):
    settings.ANDROID_GATEWAY_DEVICES = ["phoneA"]
    tasks.watch_gateways()
    later = timezone.now() + timedelta(minutes=settings.ANDROID_GATEWAY_PING_TIMEOUT_MINUTES + 1)

    with mock.patch("django.utils.timezone.now", return_value=later):
        tasks.watch_gateways()

    assert GatewayDevice.objects.get(device_id="phoneA").state == "down"


def test_the_staff_pages_show_a_phone_that_is_down(android, staff_client):
    device = GatewayDevice.objects.create(provider="android", device_id="mopti-1")
    GatewayDevice.objects.filter(pk=device.pk).update(state="down", down_since=timezone.now(), down_reason="no ping")

    page = staff_client("Aminata Guindo").get("/staff/reports/")

    assert "mopti-1" in page.content.decode()
    assert "ne répond plus" in page.content.decode()


# --- Pacing with priorities ----------------------------------------------------------


class Clock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def test_an_urgent_message_takes_the_next_slot_from_a_broadcast(settings):
    clock = Clock(3_000_000.0)
    for owner in range(100):  # a broadcast has reserved the next 100 seconds
        pacing.reserve(clock, owner=f"bulk-{owner}", lane="t", rate=1, priority=Priority.BULK)

    urgent = pacing.reserve(clock, owner="alert", lane="t", rate=1, priority=Priority.URGENT)

    assert urgent.wait <= 1.0
    displaced = urgent.slot
    # The broadcast message that held that slot no longer does, and reserves again behind.
    bulk_owner = f"bulk-{displaced - int(clock.now)}"
    assert not pacing.holds(owner=bulk_owner, slot=displaced, lane="t", priority=Priority.BULK)
    assert pacing.holds(owner="alert", slot=displaced, lane="t", priority=Priority.URGENT)
    again = pacing.reserve(clock, owner=bulk_owner, lane="t", rate=1, priority=Priority.BULK)
    assert again.slot >= int(clock.now) + 100


def test_two_urgent_messages_never_take_the_same_slot(settings):
    clock = Clock(3_100_000.0)
    for owner in range(10):
        pacing.reserve(clock, owner=f"bulk-{owner}", lane="u", rate=1, priority=Priority.BULK)

    slots = {
        pacing.reserve(clock, owner=f"alert-{n}", lane="u", rate=1, priority=Priority.URGENT).slot for n in range(5)
    }

    assert len(slots) == 5


def test_a_relay_notice_goes_before_residents_replies_but_not_before_other_notices(settings):
    clock = Clock(3_200_000.0)
    for owner in range(20):
        pacing.reserve(clock, owner=f"reply-{owner}", lane="v", rate=1, priority=Priority.REPLY)
    notice = pacing.reserve(clock, owner="notice", lane="v", rate=1, priority=Priority.NORMAL)
    assert notice.wait <= 1.0

    for owner in range(20):
        pacing.reserve(clock, owner=f"n-{owner}", lane="w", rate=1, priority=Priority.NORMAL)
    late = pacing.reserve(clock, owner="notice-2", lane="w", rate=1, priority=Priority.NORMAL)
    assert late.wait >= 19


def test_a_residents_reply_takes_another_provider_when_the_phone_is_backed_up(android, settings):
    settings.ANDROID_GATEWAY_SMS_PER_MINUTE = 6  # one slot every 10 s
    settings.SMS_MAX_INLINE_WAIT_SECONDS = 2
    for owner in range(5):  # a backlog on the phone
        pacing.reserve(owner=f"backlog-{owner}", lane="android:default", rate=0.1, priority=Priority.NORMAL)

    reply = send(priority=Priority.REPLY)
    notice = services.outbound_enqueue(to_number=MALI, body="Veille: nouveau", purpose="relay_notice")
    outcome = services.outbound_send(message_id=notice.pk)

    assert reply.provider == "twilio"  # the resident's receipt did not wait behind the phone
    assert outcome == "paced"  # a staff notice keeps its preferred provider and waits its turn


def test_readiness_says_when_a_phone_is_down(android, settings):
    from messaging.health import check_gateways

    assert check_gateways()[0] is True
    GatewayDevice.objects.create(provider="android", device_id="mopti-1", state="down", down_reason="no ping")

    ok, detail = check_gateways()
    assert not ok and "android:mopti-1 (no ping)" in detail
