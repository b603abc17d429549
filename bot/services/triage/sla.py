"""Response-time targets: deadlines counted in working time, and which tickets need a nudge.

Working time is the ward office's: periods of the day (LOA_WORKING_HOURS) on working weekdays
(LOA_WORKING_DAYS), minus public holidays (LOA_HOLIDAYS), in LOA_TIMEZONE. A question asked
on Friday evening with a 4-hour target is due on Monday morning, not on Saturday.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models import Ticket, TicketStatus, rowcount

MAX_DAYS = 800  # a target longer than two years of working days is a configuration error


@dataclass(frozen=True)
class WorkingTime:
    """The office calendar: daily periods, working ISO weekdays, holidays, time zone."""

    windows: Sequence[tuple[time, time]]
    weekdays: frozenset[int]
    holidays: frozenset[date]
    tz: ZoneInfo

    @classmethod
    def of(
        cls,
        windows: Sequence[tuple[time, time]],
        weekdays: Iterable[int],
        holidays: Iterable[date],
        tz: ZoneInfo,
    ) -> WorkingTime:
        return cls(tuple(windows), frozenset(weekdays), frozenset(holidays), tz)

    def is_working_day(self, day: date) -> bool:
        return day.isoweekday() in self.weekdays and day not in self.holidays

    def add(self, start: datetime, hours: float) -> datetime:
        """The moment `hours` of working time after `start` (UTC in, UTC out)."""
        remaining = timedelta(hours=hours)
        local = start.astimezone(self.tz)
        day = local.date()
        for _ in range(MAX_DAYS):
            if self.is_working_day(day):
                for begin, end in self.windows:
                    seg_start = datetime.combine(day, begin, self.tz)
                    seg_end = datetime.combine(day, end, self.tz)
                    seg_start = max(seg_start, local)
                    if seg_end <= seg_start:
                        continue
                    if remaining <= seg_end - seg_start:
                        return (seg_start + remaining).astimezone(UTC)
                    remaining -= seg_end - seg_start
            day += timedelta(days=1)
        raise ValueError("no working time within reach: check LOA_WORKING_DAYS and LOA_HOLIDAYS")


# Open, never answered, not yet escalated: the tickets the watch looks at.
_UNANSWERED = (
    Ticket.status.in_((TicketStatus.NEW, TicketStatus.TAKEN)),
    Ticket.first_response_at.is_(None),
    Ticket.escalated_at.is_(None),
)


async def due_for_reminder(
    session: AsyncSession, now: datetime, before: timedelta
) -> list[Ticket]:
    """Open tickets without a first answer whose deadline is within `before`, not yet nudged."""
    return list(
        await session.scalars(
            select(Ticket)
            .where(
                *_UNANSWERED,
                Ticket.reminded_at.is_(None),
                Ticket.due_at > now,
                Ticket.due_at <= now + before,
            )
            .order_by(Ticket.due_at)
        )
    )


async def due_for_escalation(session: AsyncSession, now: datetime) -> list[Ticket]:
    """Open tickets past their deadline without a first answer, not yet escalated."""
    return list(
        await session.scalars(
            select(Ticket).where(*_UNANSWERED, Ticket.due_at <= now).order_by(Ticket.due_at)
        )
    )


async def mark(session: AsyncSession, ticket_id: int, column: str, now: datetime) -> bool:
    """Set reminded_at/escalated_at once (a second worker finds it set); commits."""
    col = getattr(Ticket, column)
    done = await session.execute(
        update(Ticket).where(Ticket.id == ticket_id, col.is_(None)).values({column: now})
    )
    await session.commit()
    return bool(rowcount(done))
