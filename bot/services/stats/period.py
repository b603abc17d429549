"""The period indicators cover, and the small arithmetic every indicator module shares."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, func

HOURS = 24


@dataclass(frozen=True)
class Period:
    """Local calendar days `start`..`end`, both included."""

    start: date
    end: date
    tz: ZoneInfo

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time(), self.tz)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time(), self.tz)


def ratio(part: int, whole: int) -> float | None:
    """part / whole to 4 decimals; None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def minutes(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 60


def days_since(last: datetime | None, period: Period, now: datetime) -> int | None:
    """Local calendar days from `last` to the period's end (or today, if earlier)."""
    if last is None:
        return None
    today = min(now.astimezone(period.tz).date(), period.end)
    return max(0, (today - last.astimezone(period.tz).date()).days)


def by_hour(moments: Iterable[datetime], tz: ZoneInfo) -> list[int]:
    """How many of `moments` fell in each local hour of the day (0..23)."""
    counts = [0] * HOURS
    for moment in moments:
        counts[moment.astimezone(tz).hour] += 1
    return counts


def hour_bucket(column: Any, dialect: str) -> Any:
    """The UTC hour a timestamp falls in, as SQL, so rows can be counted per hour by the
    database (bucket_hours turns the buckets into local hours of the day)."""
    if dialect == "sqlite":
        return func.strftime("%Y-%m-%d %H", column, type_=String)
    return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24", type_=String)


def bucket_hours(rows: Iterable[tuple[str, int]], tz: ZoneInfo) -> list[int]:
    """[(UTC "YYYY-MM-DD HH", count)] → counts per local hour (zones on whole-hour offsets)."""
    counts = [0] * HOURS
    for bucket, n in rows:
        moment = datetime.strptime(bucket, "%Y-%m-%d %H").replace(tzinfo=UTC)
        counts[moment.astimezone(tz).hour] += int(n)
    return counts


def best_hour(counts: list[int]) -> int | None:
    """The hour with the most activity (the earliest of equals); None without activity."""
    top = max(counts, default=0)
    return counts.index(top) if top else None
