"""A clock the tests move: every ``django.utils.timezone.now()`` (services, auto_now
fields) reads it, so a purge can be run as it would run days later."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.utils import timezone


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def move(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def set(self, moment: datetime) -> datetime:
        self.now = moment
        return self.now


@pytest.fixture
def clock() -> Iterator[Clock]:
    moving = Clock(timezone.now())
    with mock.patch("django.utils.timezone.now", moving):
        yield moving
