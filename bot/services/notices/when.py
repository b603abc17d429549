"""Dates and times as officials type them ("26/11", "7h30"), in the ward's local time."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services.common.errors import Invalid

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # catalog keys weekday.<day>
_DATE = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{2}|\d{4}))?\s*$")
_TIME = re.compile(r"^\s*(\d{1,2})\s*(?:[:hg.]\s*(\d{2})?)?\s*$", re.IGNORECASE)


def weekday(day: date) -> str:
    return WEEKDAYS[day.weekday()]


def parse_date(value: str, today: date) -> date:
    """ "26/11", "26/11/2026", "26-11-26" → a date; without a year, the next such day."""
    m = _DATE.match(value)
    if not m:
        raise Invalid("when.bad_date")
    day, month, year = int(m.group(1)), int(m.group(2)), m.group(3)
    y = (2000 + int(year) if len(year) == 2 else int(year)) if year else today.year
    try:
        out = date(y, month, day)
    except ValueError:
        raise Invalid("when.bad_date") from None
    if year is None and out < today:
        out = out.replace(year=y + 1)
    return out


def parse_time(value: str) -> time:
    """ "7:30", "7h30", "07.30", "14h", "14" → a time of day."""
    m = _TIME.match(value)
    if not m:
        raise Invalid("when.bad_time")
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if hour > 23 or minute > 59:
        raise Invalid("when.bad_time")
    return time(hour, minute)


def combine(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def local_today(now: datetime, tz: ZoneInfo) -> date:
    return now.astimezone(tz).date()


def upcoming_days(now: datetime, tz: ZoneInfo, count: int = 12) -> list[date]:
    today = local_today(now, tz)
    return [today + timedelta(days=i) for i in range(count)]


def future(moment: datetime, now: datetime) -> datetime:
    if moment <= now:
        raise Invalid("when.past")
    return moment


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def from_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
