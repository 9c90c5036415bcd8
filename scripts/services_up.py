"""Exit 0 when the PostgreSQL and Redis given as URLs answer, 1 otherwise (used by make)."""

from __future__ import annotations

import socket
import sys
from urllib.parse import urlparse


def reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


if __name__ == "__main__":
    pg_url, redis_url = sys.argv[1], sys.argv[2]
    sys.exit(0 if reachable(pg_url, 5432) and reachable(redis_url, 6379) else 1)
