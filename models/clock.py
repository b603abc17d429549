"""The one clock Loa reads. Time is an input: tests set it; nothing else reads the wall clock.

Every layer reads the time (quiet hours, reminders, SLA, leases, schedules, expiry), so the
clock lives in the lowest package; `models.utcnow()` is how product code asks for "now".
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Protocol, TypeVar


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware UTC."""
        ...


class SystemClock:
    """The wall clock: what production uses."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock a test sets. `ticking=True` lets it run on from the set moment at real speed,
    so code that waits a few seconds (retries, leases) still sees time pass; `advance()` jumps."""

    def __init__(self, start: datetime, *, ticking: bool = True) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")
        self._start = start.astimezone(UTC)
        self._ticking = ticking
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        if not self._ticking:
            return self._start
        return self._start + timedelta(seconds=time.monotonic() - self._t0)

    def set(self, moment: datetime) -> None:
        """Jump to `moment` (aware); a ticking clock runs on from there."""
        if moment.tzinfo is None:
            raise ValueError("naive datetime given to the clock")
        self._start, self._t0 = moment.astimezone(UTC), time.monotonic()

    def advance(self, delta: timedelta) -> None:
        self.set(self.now() + delta)


_current: Clock = SystemClock()


def utcnow() -> datetime:
    """Now, in UTC, from the installed clock."""
    return _current.now()


def current() -> Clock:
    return _current


def install(clock: Clock) -> Clock:
    """Make `clock` the one Loa reads; returns the one it replaces."""
    global _current
    previous, _current = _current, clock
    return previous


C = TypeVar("C", bound=Clock)


@contextmanager
def using(clock: C) -> Iterator[C]:
    """Read `clock` inside the block, then restore the previous one."""
    previous = install(clock)
    try:
        yield clock
    finally:
        install(previous)
