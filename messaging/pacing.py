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


def reserve_slot(now: Callable[[], float] = time.time, *, owner: int | str = "-") -> float:
    """Reserve the earliest free slot; return how many seconds to wait before sending.

    A slot already reserved by the same ``owner`` (a message that was paced and comes
    back for its slot) counts as free for it: without that, a paced message would take a
    new slot behind everyone else each time it returned, and never be sent.
    """
    rate = settings.SMS_SEND_RATE_PER_SECOND
    width = 1.0 / rate
    start = int(now() / width)
    marker = str(owner)
    for slot in range(start, start + LOOKAHEAD_SLOTS):
        key = f"{SLOT_PREFIX}{slot}"
        if cache.add(key, marker, timeout=int(LOOKAHEAD_SLOTS * width) + 60) or (
            marker != "-" and cache.get(key) == marker
        ):
            return max(0.0, slot * width - now())
    return LOOKAHEAD_SLOTS * width
