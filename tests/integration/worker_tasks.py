"""Tasks that only the logging test loads into a real worker (``--include``)."""

from __future__ import annotations

import logging
import sys

from celery import shared_task

logger = logging.getLogger("veille.test.worker")
NUMBER = "+22376123456"


@shared_task(name="tests.log_a_number")
def log_a_number() -> None:
    """Every way a number can reach the worker's output: a log argument, a formatted
    message, a logged exception's traceback, a print, and the task's own failure."""
    logger.warning("reply to %s failed", NUMBER)
    logger.error(f"recipient {NUMBER[4:6]} {NUMBER[6:8]} {NUMBER[8:10]} {NUMBER[10:]} unreachable")
    try:
        raise ValueError(f"invalid recipient {NUMBER}")
    except ValueError:
        logger.exception("send failed")
    print(f"debug: {NUMBER.lstrip('+')}")
    sys.stdout.flush()
    raise RuntimeError(f"gave up on 00{NUMBER.lstrip('+')}")
