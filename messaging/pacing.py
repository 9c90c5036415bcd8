"""Send no faster than each provider allows, across every worker, most urgent first.

Each send reserves a time slot in the shared cache (Redis in production) on its *lane*:
a provider's sender (Twilio's number or messaging service), or one phone of the Android
gateway, each with its own rate. Slots are 1/rate seconds wide. ``cache.add`` is atomic,
so two workers never hold the same slot; a sender that finds the near slots taken waits
for the next free one, or, if that is far off, puts its message back in the queue rather
than hold a worker.

Priority: first come, first served would put an urgent alert behind a broadcast that
reserved the next minute of slots. A message may therefore *take over* a near slot held
by a message of lower priority (a higher number): it marks the slot taken over (another
atomic ``add``), and the displaced message, when it comes to send, finds its slot no
longer its own and reserves again, behind. Urgent alerts take over from everything else;
relay notices (normal) from residents' replies and broadcasts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

SLOT_PREFIX = "sms-slot:"
LOOKAHEAD_SLOTS = 600
HINT_KEY = "sms-slot-next"
OWNER_PREFIX = "sms-slot-owner:"
TAKEN_SUFFIX = ":taken"
# How far ahead a message looks for a slot of lower priority to take over.
TAKEOVER_WINDOW_SLOTS = 64
# Lowest priority number of all (messaging.models.Priority is 0 urgent ... 9 bulk).
LOWEST = 99


@dataclass(frozen=True)
class Reservation:
    wait: float  # seconds until the slot
    slot: int
    lane: str


def _keys(lane: str) -> tuple[str, str, str]:
    prefix = f"{SLOT_PREFIX}{lane}:" if lane else SLOT_PREFIX
    hint = f"{HINT_KEY}:{lane}" if lane else HINT_KEY
    owner = f"{OWNER_PREFIX}{lane}:" if lane else OWNER_PREFIX
    return prefix, hint, owner


def _marker(owner: int | str, priority: int) -> str:
    return f"{priority}|{owner}"


def _priority_of(value: object) -> int:
    if isinstance(value, str) and "|" in value:
        head = value.split("|", 1)[0]
        if head.isdigit():
            return int(head)
    return LOWEST if value is None else 5  # slots written before priorities: normal


def reserve(
    now: Callable[[], float] = time.time,
    *,
    owner: int | str = "-",
    lane: str = "",
    rate: float | None = None,
    priority: int = 5,
) -> Reservation:
    """Reserve the earliest slot this message may have on ``lane``.

    A slot already reserved by the same ``owner`` (a message that was paced and comes
    back for its slot) is its own, unless a more urgent message took it over. Without
    that, a paced message would take a new slot behind everyone else each time it
    returned, and never be sent. The owner's slot and the next probably-free slot are
    remembered in the cache, so that reserving costs a few round trips even when
    hundreds of slots ahead are taken (a broadcast); the atomic ``cache.add`` on each
    slot remains what guarantees one send per slot.
    """
    rate = rate or settings.SMS_SEND_RATE_PER_SECOND
    width = 1.0 / rate
    current = now()
    start = int(current / width)
    timeout = int(LOOKAHEAD_SLOTS * width) + 60
    prefix, hint_key, owner_prefix = _keys(lane)
    marker = _marker(owner, priority)
    owner_key = f"{owner_prefix}{owner}"
    anonymous = str(owner) == "-"

    def granted(slot: int) -> Reservation:
        cache.set(hint_key, max(slot + 1, cache.get(hint_key) or 0), timeout=timeout)
        if not anonymous:
            cache.set(owner_key, slot, timeout=timeout)
        return Reservation(wait=max(0.0, slot * width - current), slot=slot, lane=lane)

    if not anonymous:
        held = cache.get(owner_key)
        if held is not None and held >= start and holds(owner=owner, slot=held, lane=lane, priority=priority):
            return Reservation(wait=max(0.0, held * width - current), slot=held, lane=lane)

    # Near slots first: a free one, or one held by a less urgent message, taken over.
    window = [f"{prefix}{slot}" for slot in range(start, start + TAKEOVER_WINDOW_SLOTS)]
    near = cache.get_many(window + [key + TAKEN_SUFFIX for key in window])
    for index, key in enumerate(window):
        slot = start + index
        value = near.get(key)
        if value is None:
            if cache.add(key, marker, timeout=timeout):
                return granted(slot)
            value = cache.get(key)
        if (
            _priority_of(value) > priority
            and key + TAKEN_SUFFIX not in near
            and cache.add(key + TAKEN_SUFFIX, marker, timeout=timeout)
        ):
            return granted(slot)
    # Only a starting point: it may lag (a slower worker wrote it last), never skip a
    # slot that add() would grant, since every slot from here on is still tried.
    first = max(start + TAKEOVER_WINDOW_SLOTS, cache.get(hint_key) or start)
    for slot in range(first, start + LOOKAHEAD_SLOTS):
        if cache.add(f"{prefix}{slot}", marker, timeout=timeout):
            return granted(slot)
    return Reservation(wait=LOOKAHEAD_SLOTS * width, slot=-1, lane=lane)


def holds(*, owner: int | str, slot: int, lane: str = "", priority: int = 5) -> bool:
    """Whether ``owner`` still holds ``slot``: it reserved it and no more urgent message
    took it over, or it is the one that took it over."""
    prefix, _, _ = _keys(lane)
    key = f"{prefix}{slot}"
    marker = _marker(owner, priority)
    values = cache.get_many([key, key + TAKEN_SUFFIX])
    taken = values.get(key + TAKEN_SUFFIX)
    if taken is not None:
        return taken == marker
    return values.get(key) == marker


def next_free_in(*, lane: str = "", rate: float | None = None, now: Callable[[], float] = time.time) -> float:
    """Roughly how long until ``lane`` has a free slot (its hint), without reserving."""
    rate = rate or settings.SMS_SEND_RATE_PER_SECOND
    width = 1.0 / rate
    _, hint_key, _ = _keys(lane)
    hint = cache.get(hint_key)
    if hint is None:
        return 0.0
    return max(0.0, hint * width - now())


def reserve_slot(
    now: Callable[[], float] = time.time,
    *,
    owner: int | str = "-",
    lane: str = "",
    rate: float | None = None,
    priority: int = 5,
) -> float:
    """``reserve``, returning only the wait in seconds."""
    return reserve(now, owner=owner, lane=lane, rate=rate, priority=priority).wait
