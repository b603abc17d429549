"""When a ward's people are active: acknowledgements, questions and guide lookups per local
hour of day.

The hour is taken in the ward's time zone in Python (SQLite and PostgreSQL disagree on time zone
functions); the rows are one timestamp each, filtered by indexed columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.stats.indicators import Period
from models import Acknowledgement, Household, Lookup, Ticket


@dataclass(frozen=True)
class HourlyActivity:
    acks: list[int]
    questions: list[int]
    lookups: list[int]

    @property
    def busiest_hour(self) -> int | None:
        totals = [sum(h) for h in zip(self.acks, self.questions, self.lookups, strict=True)]
        return totals.index(max(totals)) if any(totals) else None


def _hours(stamps: list[datetime], period: Period) -> list[int]:
    counts = [0] * 24
    for at in stamps:
        counts[at.astimezone(period.tz).hour] += 1
    return counts


async def hourly_activity(
    session: AsyncSession, ward_id: int, period: Period, now: datetime
) -> HourlyActivity:
    """Counts per local hour (0-23) of acknowledgements, questions and lookups in `period` up
    to `now`."""
    until = min(period.until, now)
    acks = await session.scalars(
        select(Acknowledgement.at)
        .join(Household, Household.id == Acknowledgement.household_id)
        .where(
            Household.ward_id == ward_id,
            Acknowledgement.at >= period.since,
            Acknowledgement.at < until,
        )
    )
    questions = await session.scalars(
        select(Ticket.created_at).where(
            Ticket.ward_id == ward_id,
            Ticket.spam.is_(False),
            Ticket.created_at >= period.since,
            Ticket.created_at < until,
        )
    )
    looked = await session.scalars(
        select(Lookup.at).where(
            Lookup.ward_id == ward_id, Lookup.at >= period.since, Lookup.at < until
        )
    )
    return HourlyActivity(
        _hours(list(acks), period), _hours(list(questions), period), _hours(list(looked), period)
    )
