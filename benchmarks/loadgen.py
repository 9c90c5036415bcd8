"""HTTP load generators on asyncio + aiohttp: open loop (fixed rate) and closed loop (K clients).

Open loop: request i is due at ``start + i / rate`` whatever happened before, and its
latency is measured from that due time, so a server that falls behind shows it in the
percentiles (no coordinated omission). Closed loop: K clients each send the next request
when the previous one is answered; it measures the maximum throughput and hides latency.

Requests are built before the clock starts (signing included) so the generator spends
its time sending. Runs are bounded: they stop after ``duration`` seconds plus a drain
timeout for the requests still in flight.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp

# (path, form body, headers)
Request = tuple[str, bytes, dict[str, str]]


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


@dataclass
class Result:
    name: str
    mode: str
    duration: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    ok_ids: list[str] = field(default_factory=list)
    # Wall-clock time (epoch seconds) each 2xx answer arrived: when the request was accepted.
    accepted_at: dict[str, float] = field(default_factory=dict)
    target_rate: float | None = None
    concurrency: int | None = None
    bodies_bad: int = 0

    @property
    def sent(self) -> int:
        return sum(self.statuses.values()) + sum(self.errors.values())

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if 200 <= status < 300)

    @property
    def non_2xx(self) -> int:
        return self.sent - self.ok

    @property
    def throughput(self) -> float:
        return self.ok / self.duration if self.duration else 0.0

    def percentile(self, q: float) -> float:
        return percentile(self.latencies_ms, q)

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "mode": self.mode,
            "target_rate": self.target_rate,
            "concurrency": self.concurrency,
            "duration_s": round(self.duration, 2),
            "sent": self.sent,
            "ok": self.ok,
            "non_2xx": self.non_2xx,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "errors": dict(self.errors),
            "bad_bodies": self.bodies_bad,
            "throughput_rps": round(self.throughput, 1),
            "p50_ms": round(self.percentile(50), 1),
            "p95_ms": round(self.percentile(95), 1),
            "p99_ms": round(self.percentile(99), 1),
            "max_ms": round(max(self.latencies_ms), 1) if self.latencies_ms else None,
            "over_2s": sum(1 for x in self.latencies_ms if x > 2000),
        }


def _session(limit: int, timeout: float) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=limit, force_close=False)
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=timeout))


async def _send(
    session: aiohttp.ClientSession,
    base_url: str,
    request: Request,
    result: Result,
    due: float,
    request_id: str,
    check: Callable[[str], bool] | None,
) -> None:
    path, body, headers = request
    try:
        async with session.post(base_url + path, data=body, headers=headers) as response:
            text = await response.text()
            result.statuses[response.status] += 1
            if 200 <= response.status < 300:
                result.ok_ids.append(request_id)
                result.accepted_at[request_id] = time.time()
                if check is not None and not check(text):
                    result.bodies_bad += 1
    except TimeoutError:
        result.errors["timeout"] += 1
    except aiohttp.ClientError as exc:
        result.errors[type(exc).__name__] += 1
    finally:
        result.latencies_ms.append((time.perf_counter() - due) * 1000)


async def open_loop(
    name: str,
    base_url: str,
    requests: Sequence[Request],
    rate: float,
    ids: Sequence[str] | None = None,
    timeout: float = 30.0,
    max_connections: int = 256,
    check: Callable[[str], bool] | None = None,
) -> Result:
    """Send ``requests`` at ``rate`` per second, one every 1/rate s, and wait for all answers."""
    result = Result(name=name, mode="open", target_rate=rate)
    tasks: list[asyncio.Task[None]] = []
    async with _session(max_connections, timeout) as session:
        start = time.perf_counter()
        for i, request in enumerate(requests):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            request_id = ids[i] if ids is not None else str(i)
            tasks.append(asyncio.create_task(_send(session, base_url, request, result, due, request_id, check)))
        await asyncio.gather(*tasks)
        result.duration = max(len(requests) / rate, time.perf_counter() - start)
    return result


async def closed_loop(
    name: str,
    base_url: str,
    make_request: Callable[[int], Request],
    concurrency: int,
    duration: float,
    timeout: float = 30.0,
) -> Result:
    """K clients back to back for ``duration`` seconds: the maximum throughput."""
    result = Result(name=name, mode="closed", concurrency=concurrency)
    counter = iter(range(10**9))
    async with _session(concurrency, timeout) as session:
        start = time.perf_counter()
        end = start + duration

        async def client() -> None:
            while time.perf_counter() < end:
                i = next(counter)
                await _send(session, base_url, make_request(i), result, time.perf_counter(), str(i), None)

        await asyncio.gather(*(client() for _ in range(concurrency)))
        result.duration = time.perf_counter() - start
    return result


async def run_together(*coroutines: Awaitable[Any]) -> list[Any]:
    return list(await asyncio.gather(*coroutines))
