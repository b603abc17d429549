"""The one clock: tests set it, everything that asks for "now" reads it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models import AuditEntry, utcnow
from models.clock import ManualClock, SystemClock, current, using

MOMENT = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def test_a_frozen_clock_stands_still_and_jumps_when_told() -> None:
    c = ManualClock(MOMENT, ticking=False)
    with using(c):
        assert utcnow() == MOMENT
        c.advance(timedelta(hours=13))
        assert utcnow() == MOMENT + timedelta(hours=13)


def test_a_ticking_clock_runs_on_from_its_moment() -> None:
    c = ManualClock(MOMENT)
    with using(c):
        first = utcnow()
        assert MOMENT <= first < MOMENT + timedelta(seconds=5)
        assert utcnow() >= first


def test_using_restores_the_previous_clock_and_naive_times_are_refused() -> None:
    before = current()
    with using(ManualClock(MOMENT)):
        assert current() is not before
    assert current() is before
    with pytest.raises(ValueError):
        ManualClock(datetime(2026, 11, 24, 2, 0))


def test_column_defaults_read_the_installed_clock() -> None:
    with using(ManualClock(MOMENT, ticking=False)):
        column_default = AuditEntry.__table__.c.at.default
        assert column_default is not None
        assert column_default.arg(None) == MOMENT


def test_the_system_clock_is_aware_utc() -> None:
    assert SystemClock().now().tzinfo is UTC
