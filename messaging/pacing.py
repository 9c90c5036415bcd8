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


def reserve_slot(now: Callable[[], float] = time.time) -> float:
    """Reserve the earliest free slot; return how many seconds to wait before sending."""
    rate = settings.SMS_SEND_RATE_PER_SECOND
    width = 1.0 / rate
    start = int(now() / width)
    for slot in range(start, start + LOOKAHEAD_SLOTS):
        if cache.add(f"{SLOT_PREFIX}{slot}", 1, timeout=int(LOOKAHEAD_SLOTS * width) + 60):
            return max(0.0, slot * width - now())
    return LOOKAHEAD_SLOTS * width
