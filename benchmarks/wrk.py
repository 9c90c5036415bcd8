"""Closed-loop load with wrk (the Debian package, a C load generator) for P1.

wrk's Lua cannot sign a Twilio request (no HMAC-SHA1), so the requests are built ahead
by the same factory the asyncio generator uses (each its own MessageSid and sender, signed
as Twilio signs) and written as a Lua table; each wrk thread takes every n-th of them.
The generator then costs next to nothing per request, so the ratio is not flattered by
a slow generator sharing the two cores (benchmarks/README.md, "Noise").

Latency and counts come from wrk's own ``done`` hook, printed as one JSON line.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WRK = shutil.which("wrk")

SCRIPT = r"""
local counter, step, items = 0, 1, nil
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads - 1)
end

function init(args)
  items = dofile(args[1])
  step = tonumber(args[2])
  counter = tid
end

function request()
  local item = items[(counter % #items) + 1]
  counter = counter + step
  return wrk.format("POST", item[1], item[3], item[2])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK-JSON {"requests": %d, "duration_us": %d, "status": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "timeout": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def _lua_string(text: str) -> str:
    # Long brackets with a level no body can close by accident: bodies are urlencoded.
    return "[==[" + text + "]==]"


@dataclass
class WrkResult:
    name: str
    duration: float
    requests: int
    non_2xx: int
    socket_errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    prepared: int
    concurrency: int
    mode: str = "wrk"

    @property
    def ok(self) -> int:
        return self.requests - self.non_2xx

    @property
    def throughput(self) -> float:
        return self.ok / self.duration if self.duration else 0.0

    @property
    def wrapped(self) -> bool:
        """More requests than prepared: some were sent twice (redeliveries, all 200)."""
        return self.requests > self.prepared

    def percentile(self, q: float) -> float:
        return {50: self.p50_ms, 95: self.p95_ms, 99: self.p99_ms, 100: self.max_ms}.get(int(q), self.p99_ms)

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "mode": self.mode,
            "concurrency": self.concurrency,
            "duration_s": round(self.duration, 2),
            "sent": self.requests,
            "ok": self.ok,
            "non_2xx": self.non_2xx,
            "socket_errors": self.socket_errors,
            "prepared": self.prepared,
            "throughput_rps": round(self.throughput, 1),
            "p50_ms": round(self.p50_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "max_ms": round(self.max_ms, 2),
        }


# Requests per Lua function in the data file: a Lua function holds at most 65,536
# constants, and each request brings about three of its own (body, signature, sid), so
# one table of a full-length run's 60,000 requests did not load ("main function has
# more than 65536 constants").
LUA_CHUNK = 5000


def write_requests(path: Path, requests: list[tuple[str, bytes, dict[str, str]]]) -> None:
    """The prepared requests as a Lua table of {path, body, headers}, built from chunks
    of ``LUA_CHUNK`` requests, each chunk its own function (its own constants)."""
    lines = ["local all = {}", "local function add(part) for i = 1, #part do all[#all + 1] = part[i] end end"]
    for start in range(0, len(requests), LUA_CHUNK):
        lines.append("add((function() return {")
        for url_path, body, headers in requests[start : start + LUA_CHUNK]:
            fields = ", ".join(f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in headers.items())
            lines.append(f"{{{_lua_string(url_path)}, {_lua_string(body.decode())}, {{{fields}}}}},")
        lines.append("} end)())")
    lines.append("return all")
    path.write_text("\n".join(lines))


def run(
    name: str,
    base_url: str,
    requests: list[tuple[str, bytes, dict[str, str]]],
    work_dir: Path,
    *,
    connections: int,
    threads: int,
    seconds: float,
) -> WrkResult:
    if WRK is None:
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk)")
    script = work_dir / "p1_wrk.lua"
    script.write_text(SCRIPT)
    data = work_dir / f"{name}.lua"
    write_requests(data, requests)
    argv = [
        WRK,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        base_url + requests[0][0],
        "--",
        str(data),
        str(threads),
    ]
    completed = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    line = next((x for x in completed.stdout.splitlines() if x.startswith("WRK-JSON ")), None)
    if completed.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}")
    found = json.loads(line.removeprefix("WRK-JSON "))
    data.unlink(missing_ok=True)
    return WrkResult(
        name=name,
        duration=found["duration_us"] / 1e6,
        requests=found["requests"],
        non_2xx=found["status"],
        socket_errors=found["connect"] + found["read"] + found["write"] + found["timeout"],
        p50_ms=found["p50_us"] / 1000,
        p95_ms=found["p95_us"] / 1000,
        p99_ms=found["p99_us"] / 1000,
        max_ms=found["max_us"] / 1000,
        prepared=len(requests),
        concurrency=connections,
    )
