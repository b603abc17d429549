"""Numbers for officials: questions per week, first-response times, targets met, ratings."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Ticket, TicketCategory, TicketRating


@dataclass(frozen=True)
class TriageStats:
    weeks: list[tuple[date, int]]  # Monday of each week (local time) → questions asked
    total: int
    median_minutes: float | None  # first response, wall-clock time
    p90_minutes: float | None
    within_target: float | None  # share of measurable questions answered by their deadline
    measured: int
    good: int
    not_good: int
    categories: list[tuple[TicketCategory, int]]  # most frequent first


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100): a value that actually occurred."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def week_start(moment: datetime, tz: ZoneInfo) -> date:
    local = moment.astimezone(tz).date()
    return local - timedelta(days=local.weekday())


async def compute(
    session: AsyncSession,
    ward_ids: set[int] | None,
    *,
    now: datetime,
    weeks: int,
    tz: ZoneInfo,
) -> TriageStats:
    """Figures for the last `weeks` calendar weeks (this one included); spam is left out."""
    first_week = week_start(now, tz) - timedelta(weeks=weeks - 1)
    since = datetime.combine(first_week, time(0), tz).astimezone(UTC)
    return await between(session, ward_ids, since=since, until=now, now=now, tz=tz)


async def between(
    session: AsyncSession,
    ward_ids: set[int] | None,
    *,
    since: datetime,
    until: datetime,
    now: datetime,
    tz: ZoneInfo,
) -> TriageStats:
    """The same figures for questions asked from `since` up to `until` (a month's report)."""
    scope = [Ticket.created_at >= since, Ticket.spam.is_(False)]
    if until < now:  # up to now: everything asked so far
        scope.append(Ticket.created_at < until)
    until = min(until, now)
    if ward_ids is not None:
        scope.append(Ticket.ward_id.in_(ward_ids))
    tickets = list(await session.scalars(select(Ticket).where(*scope)))
    per_week = Counter(week_start(t.created_at, tz) for t in tickets)
    minutes = [
        (t.first_response_at - t.created_at).total_seconds() / 60
        for t in tickets
        if t.first_response_at is not None
    ]
    measurable = [t for t in tickets if t.first_response_at is not None or t.due_at <= now]
    in_time = sum(
        1
        for t in measurable
        if t.first_response_at is not None and t.first_response_at <= t.due_at
    )
    ratings = list(
        await session.scalars(
            select(TicketRating.good)
            .join(Ticket, Ticket.id == TicketRating.ticket_id)
            .where(*scope)
        )
    )
    first_week = week_start(since, tz)
    weeks = (week_start(until - timedelta(microseconds=1), tz) - first_week).days // 7 + 1
    return TriageStats(
        weeks=[
            (first_week + timedelta(weeks=i), per_week.get(first_week + timedelta(weeks=i), 0))
            for i in range(weeks)
        ],
        total=len(tickets),
        median_minutes=statistics.median(minutes) if minutes else None,
        p90_minutes=percentile(minutes, 90),
        within_target=in_time / len(measurable) if measurable else None,
        measured=len(measurable),
        good=sum(1 for g in ratings if g),
        not_good=sum(1 for g in ratings if not g),
        categories=Counter(t.category for t in tickets).most_common(),
    )
