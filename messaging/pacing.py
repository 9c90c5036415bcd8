"""Send no faster than the provider allows (``SMS_SEND_RATE_PER_SECOND``), across every
worker: each send reserves a time slot in the shared cache (Redis in production), slots
being 1/rate seconds wide. ``cache.add`` is atomic, so two workers never hold the same
slot; a sender that finds the near slots taken waits for the next free one, or, if that
is far off, puts its message back in the queue rather than hold a worker.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache

SLOT_PREFIX = "sms-slot:"
LOOKAHEAD_SLOTS = 600
HINT_KEY = "sms-slot-next"
OWNER_PREFIX = "sms-slot-owner:"


def reserve_slot(now: Callable[[], float] = time.time, *, owner: int | str = "-") -> float:
    """Reserve the earliest free slot; return how many seconds to wait before sending.

    A slot already reserved by the same ``owner`` (a message that was paced and comes
    back for its slot) is its own: without that, a paced message would take a new slot
    behind everyone else each time it returned, and never be sent. The owner's slot and
    the next probably-free slot are remembered in the cache, so that reserving costs a
    few round trips even when hundreds of slots ahead are taken (a broadcast); the
    atomic ``cache.add`` on each slot remains what guarantees one send per slot.
    """
    rate = settings.SMS_SEND_RATE_PER_SECOND
    width = 1.0 / rate
    current = now()
    start = int(current / width)
    timeout = int(LOOKAHEAD_SLOTS * width) + 60
    marker = str(owner)
    owner_key = f"{OWNER_PREFIX}{marker}"
    if marker != "-":
        held = cache.get(owner_key)
        if held is not None and held >= start:
            return max(0.0, held * width - current)
    # Only a starting point: it may lag (a slower worker wrote it last), never skip a
    # slot that add() would grant, since every slot from here on is still tried.
    first = max(start, cache.get(HINT_KEY) or start)
    for slot in range(first, start + LOOKAHEAD_SLOTS):
        if cache.add(f"{SLOT_PREFIX}{slot}", marker, timeout=timeout):
            cache.set(HINT_KEY, slot + 1, timeout=timeout)
            if marker != "-":
                cache.set(owner_key, slot, timeout=timeout)
            return max(0.0, slot * width - current)
    return LOOKAHEAD_SLOTS * width
