"""Send no faster than each provider allows, across every worker, most urgent first.

Each send reserves a time slot in the shared cache (Redis in production) on its *lane*:
a provider's sender (Twilio's number or messaging service), or one phone of the Android
gateway, each with its own rate. Slots are 1/rate seconds wide and numbered from the
epoch; a slot is held by the one message whose marker ``cache.add`` wrote into it, so two
workers never hold the same slot.

Where a message's slot comes from: each lane keeps one *front* per priority, the next
slot that priority may claim, advanced atomically (a Lua script on Redis; a short lock on
other caches). A message of priority p claims the next slot at or after now, after its
own front and after the front of every more urgent priority (it goes behind what they
already reserved). That is O(1) however long the backlog: a message never walks the
reserved slots one by one, and never finds "no slot" (there is no horizon), so it never
goes round the queue looking for one. The message is then scheduled for its slot (an ETA
task) and costs nothing until then; at that time it checks it still holds the slot
(one round trip) and sends.

Priority: a message may *take over* a slot held by a message of lower priority (a higher
number): an urgent alert's front is not pushed back by a broadcast's, so the slot it
claims may hold a bulk SMS; it marks the slot taken over (another atomic ``add``), and the
displaced message, when it comes to send, finds its slot no longer its own and reserves
again (once per takeover: it costs nothing while it waits). Urgent alerts take over from
everything else; relay notices (normal) from residents' replies and broadcasts. So relay
notices and alerts are never behind receipts, and receipts wait only while the more
urgent ones use the rate.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from veille.cache import raw_client

SLOT_PREFIX = "sms-slot:"
FRONT_PREFIX = "sms-front:"
OWNER_PREFIX = "sms-slot-owner:"
TAKEN_SUFFIX = ":taken"
# Priorities (messaging.models.Priority) are 0 (urgent) to 9 (bulk).
PRIORITIES = range(10)
# Lowest priority number of all, for a free slot.
LOWEST = 99
# Claims tried before giving up for this round (each one is a slot a more urgent message
# reserved between our read of the fronts and our claim: rare, and never unbounded).
MAX_CLAIMS = 8
# The longest a reservation may be ahead (a day): keeps a timedelta of it finite whatever
# the rate or backlog (a tiny rate once made an overflowing wait).
MAX_WAIT_SECONDS = 86_400.0
# The fronts outlive any reservation (they are ten integers per lane).
FRONT_TTL = int(MAX_WAIT_SECONDS) + 600


@dataclass(frozen=True)
class Reservation:
    wait: float  # seconds until the slot
    slot: int  # -1: none this time (try again after ``wait``)
    lane: str


def _keys(lane: str) -> tuple[str, str, str]:
    prefix = f"{SLOT_PREFIX}{lane}:" if lane else SLOT_PREFIX
    front = f"{FRONT_PREFIX}{lane}:" if lane else FRONT_PREFIX
    owner = f"{OWNER_PREFIX}{lane}:" if lane else OWNER_PREFIX
    return prefix, front, owner


def _marker(owner: int | str, priority: int) -> str:
    return f"{priority}|{owner}"


def _priority_of(value: object) -> int:
    if isinstance(value, str) and "|" in value:
        head = value.split("|", 1)[0]
        if head.isdigit():
            return int(head)
    return LOWEST if value is None else 5  # slots written before priorities: normal


# n = max(front of this priority, floor); the front moves to n + 1; every less urgent
# front that is behind n + 1 moves up to it too (they go behind this one). KEYS: the
# fronts of priorities p..9 (p's first). ARGV: floor, ttl seconds.
_CLAIM_LUA = """
local floor = tonumber(ARGV[1])
local own = tonumber(redis.call('GET', KEYS[1]) or '0')
local n = own
if floor > n then n = floor end
for i, key in ipairs(KEYS) do
  local value = tonumber(redis.call('GET', key) or '0')
  if i == 1 or value < n + 1 then
    redis.call('SET', key, n + 1, 'EX', tonumber(ARGV[2]))
  end
end
return n
"""
_claim_script = None


def _front_keys(front_prefix: str, priority: int) -> list[str]:
    return [f"{front_prefix}{p}" for p in PRIORITIES if p >= priority]


def _claim(front_prefix: str, priority: int, floor: int, ttl: int) -> int:
    """Atomically take the next slot of ``priority``'s front, at least ``floor``."""
    global _claim_script
    keys = _front_keys(front_prefix, priority)
    client = raw_client(cache)
    if client is not None:
        if _claim_script is None:
            _claim_script = client.register_script(_CLAIM_LUA)
        return int(_claim_script(keys=[cache.make_key(k) for k in keys], args=[floor, ttl], client=client))
    # Other caches (the embedded default's files, the tests' memory): the same steps
    # under a lock taken with the cache's atomic add.
    # A holder that died leaves the lock for its 5 s at most; past 2 s of waiting the claim
    # goes ahead unlocked (two claims may then meet on one slot: ``add`` still lets only
    # one of them hold it, and the other claims again).
    lock = f"{front_prefix}lock"
    locked = False
    for _ in range(2000):
        locked = cache.add(lock, 1, timeout=5)
        if locked:
            break
        time.sleep(0.001)
    try:
        values = cache.get_many(keys)
        n = max(int(values.get(keys[0]) or 0), floor)
        cache.set_many(
            {key: n + 1 for i, key in enumerate(keys) if i == 0 or int(values.get(key) or 0) < n + 1}, timeout=ttl
        )
        return n
    finally:
        if locked:
            cache.delete(lock)


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
    back for its slot) is its own, unless a more urgent message took it over: then it
    claims a new one. A handful of round trips, whatever the backlog.
    """
    rate = rate or settings.SMS_SEND_RATE_PER_SECOND
    width = 1.0 / rate
    current = now()
    start = int(current / width)
    prefix, front_prefix, owner_prefix = _keys(lane)
    marker = _marker(owner, priority)
    owner_key = f"{owner_prefix}{owner}"
    anonymous = str(owner) == "-"
    front_priority = min(max(int(priority), PRIORITIES[0]), PRIORITIES[-1])  # a front exists for it

    def reservation(slot: int) -> Reservation:
        return Reservation(wait=min(max(0.0, slot * width - current), MAX_WAIT_SECONDS), slot=slot, lane=lane)

    if not anonymous:
        held = cache.get(owner_key)
        if held is not None and held >= start and holds(owner=owner, slot=held, lane=lane, priority=priority):
            return reservation(held)

    # A claim moves every less urgent front behind it, so a priority's own front is
    # already behind what every more urgent one reserved: never before now, it is the slot.
    floor, step = start, 1
    for _ in range(MAX_CLAIMS):
        slot = _claim(front_prefix, front_priority, floor, FRONT_TTL)
        if slot * width - current > MAX_WAIT_SECONDS:
            break
        ttl = int((slot - start) * width) + 120  # the key lives until its slot is gone by
        key = f"{prefix}{slot}"
        if cache.add(key, marker, timeout=ttl):
            return _granted(owner_key, anonymous, slot, ttl, reservation)
        # Held already: by a less urgent message, whose slot this one takes over (once);
        # else by a more urgent one (a takeover), or the front was lost (a flushed cache):
        # further on, by growing steps, so a lost front costs a few claims, not hundreds.
        values = cache.get_many([key, key + TAKEN_SUFFIX])
        if (
            _priority_of(values.get(key)) > priority
            and key + TAKEN_SUFFIX not in values
            and cache.add(key + TAKEN_SUFFIX, marker, timeout=ttl)
        ):
            return _granted(owner_key, anonymous, slot, ttl, reservation)
        floor = slot + step
        step *= 4
    # Bounded, never a loop: come back in a second (the caller schedules, not spins).
    return Reservation(wait=1.0, slot=-1, lane=lane)


def _granted(
    owner_key: str, anonymous: bool, slot: int, ttl: int, reservation: Callable[[int], Reservation]
) -> Reservation:
    if not anonymous:
        cache.set(owner_key, slot, timeout=ttl)
    return reservation(slot)


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


def next_free_in(
    *, lane: str = "", rate: float | None = None, now: Callable[[], float] = time.time, priority: int = 9
) -> float:
    """Roughly how long until ``lane`` has a free slot for ``priority`` (the fronts of it
    and of every more urgent priority), without reserving."""
    rate = rate or settings.SMS_SEND_RATE_PER_SECOND
    width = 1.0 / rate
    _, front_prefix, _ = _keys(lane)
    fronts = cache.get_many([f"{front_prefix}{p}" for p in PRIORITIES if p <= priority])
    front = max([0, *(int(v) for v in fronts.values() if v is not None)])
    return min(max(0.0, front * width - now()), MAX_WAIT_SECONDS)


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
