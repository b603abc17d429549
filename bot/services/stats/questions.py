"""Questions: volume, first-response times (median, 90th percentile, share within the
working-hours target each question carries as its deadline), ratings and categories."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.stats.period import by_hour, median, minutes, ratio
from bot.services.triage.stats import percentile
from models import Ticket, TicketRating


@dataclass
class QuestionFigures:
    total: int = 0
    median_minutes: float | None = None
    p90_minutes: float | None = None
    within_target: float | None = None
    ratings: dict[str, int] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)
    per_group: dict[int, int] = field(default_factory=dict)
    by_hour: list[int] = field(default_factory=list)


async def questions(
    session: AsyncSession, ward_id: int, since: datetime, until: datetime, tz: ZoneInfo
) -> QuestionFigures:
    """Questions asked in [since, until), spam left out. Within target: of the questions
    answered or already past their deadline, those answered by the deadline."""
    scope = (
        Ticket.ward_id == ward_id,
        Ticket.spam.is_(False),
        Ticket.created_at >= since,
        Ticket.created_at < until,
    )
    rows = (
        await session.execute(
            select(
                Ticket.created_at, Ticket.first_response_at, Ticket.due_at, Ticket.category,
                Ticket.group_id,
            ).where(*scope)
        )
    ).all()  # fmt: skip
    answered = [(asked, first) for asked, first, *_ in rows if first is not None and first < until]
    waits = [minutes(first, asked) for asked, first in answered]
    measurable = [
        (first, due)
        for _, first, due, *_ in rows
        if (first is not None and first < until) or due <= until
    ]
    in_time = sum(1 for first, due in measurable if first is not None and first < until
                  and first <= due)  # fmt: skip
    goods = Counter(
        await session.scalars(
            select(TicketRating.good).join(Ticket, Ticket.id == TicketRating.ticket_id)
            .where(*scope, TicketRating.rated_at < until)
        )
    )  # fmt: skip
    p90 = percentile(waits, 90)
    return QuestionFigures(
        total=len(rows),
        median_minutes=median(waits),
        p90_minutes=None if p90 is None else round(p90, 1),
        within_target=ratio(in_time, len(measurable)),
        ratings={"good": goods[True], "not_good": goods[False]},
        categories=dict(sorted(Counter(str(c.value) for *_, c, _ in rows).items())),
        per_group=dict(Counter(g for *_, g in rows if g is not None)),
        by_hour=by_hour((asked for asked, *_ in rows), tz),
    )
