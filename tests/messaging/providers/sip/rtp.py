"""RTP the way a handset sends it, written to pcap for SIPp's ``play_pcap_audio``: a little
A-law audio (which the agent must drop), then keys as RFC 2833 telephone-events."""

from __future__ import annotations

import struct
from pathlib import Path

PCMA, TELEPHONE_EVENT = 8, 101
EVENTS = {**{str(d): d for d in range(10)}, "*": 10, "#": 11}
FRAME = 160  # samples per 20 ms at 8 kHz


def _packet(payload_type: int, marker: bool, seq: int, timestamp: int, payload: bytes) -> bytes:
    rtp = struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | payload_type, seq & 0xFFFF, timestamp, 0x5EC0FFEE)
    udp_payload = rtp + payload
    udp = struct.pack("!HHHH", 6000, 6000, 8 + len(udp_payload), 0) + udp_payload
    ip = struct.pack(
        "!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1])
    )
    return b"\x00" * 12 + b"\x08\x00" + ip + udp


def write_keys_pcap(path: Path, keys: list[tuple[float, str]], audio_seconds: float = 0.4) -> Path:
    """``keys``: (seconds from the start, key). Each key lasts 100 ms plus three end packets."""
    packets: list[tuple[float, bytes]] = []
    seq = 1
    for n in range(int(audio_seconds / 0.02)):
        # Something the caller "says": the agent must neither keep nor pass it anywhere.
        packets.append((n * 0.02, _packet(PCMA, n == 0, seq, n * FRAME, bytes([0xD5 ^ (n & 0x7F)]) * FRAME)))
        seq += 1
    for at, key in keys:
        timestamp = int(at * 8000)
        for step in range(5):
            payload = struct.pack("!BBH", EVENTS[key], 10, (step + 1) * FRAME)
            packets.append((at + step * 0.02, _packet(TELEPHONE_EVENT, step == 0, seq, timestamp, payload)))
            seq += 1
        for repeat in range(3):  # the end, sent three times as RFC 4733 asks
            payload = struct.pack("!BBH", EVENTS[key], 0x80 | 10, 6 * FRAME)
            packets.append((at + 0.1 + repeat * 0.02, _packet(TELEPHONE_EVENT, False, seq, timestamp, payload)))
            seq += 1
    packets.sort(key=lambda item: item[0])
    with path.open("wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for at, data in packets:
            seconds = 1_700_000_000 + int(at)
            out.write(struct.pack("<IIII", seconds, int((at % 1) * 1_000_000), len(data), len(data)) + data)
    return path
