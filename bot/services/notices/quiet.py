"""Quiet hours: normal notices that fall inside them wait until the quiet period ends."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def in_quiet(local: time, window: tuple[time, time]) -> bool:
    start, end = window
    if start < end:
        return start <= local < end
    return local >= start or local < end  # the window crosses midnight


def release_time(when: datetime, window: tuple[time, time] | None, tz: ZoneInfo) -> datetime:
    """`when` itself outside quiet hours, else the end of the quiet period (UTC)."""
    if window is None:
        return when
    local = when.astimezone(tz)
    if not in_quiet(local.time(), window):
        return when
    end = window[1]
    day = local.date() if local.time() < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=tz).astimezone(UTC)
