"""Searches nobody could answer (/gaps): limited per source and per day, deduplicated.

Anyone can search (the web pages need no account), so what one person or one web address can
add is capped, the same search from the same source counts once, and the whole day is capped:
the officials' report shows what many people look for, not what one person typed 1,000 times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from models import SearchGap, utcnow


@dataclass(frozen=True)
class GapLimits:
    per_source: int = 5
    per_day: int = 200

    @classmethod
    def from_settings(cls, s: Settings) -> GapLimits:
        return cls(s.gaps_per_source_per_day, s.gaps_per_day)


async def admit(
    session: AsyncSession,
    normalized: str,
    subject: str | None,
    limits: GapLimits,
    now: datetime | None = None,
) -> bool:
    """Whether a new gap from `subject` (a pseudonym; None: unknown) may be stored now."""
    now = now or utcnow()
    day = now - timedelta(days=1)
    same = select(func.count(SearchGap.id)).where(SearchGap.normalized == normalized)
    if subject is not None:
        if await session.scalar(same.where(SearchGap.subject == subject)):
            return False
        mine = await session.scalar(
            select(func.count(SearchGap.id)).where(
                SearchGap.subject == subject, SearchGap.at > day
            )
        )
        if (mine or 0) >= limits.per_source:
            return False
    elif await session.scalar(same.where(SearchGap.subject.is_(None), SearchGap.at > day)):
        return False
    today = await session.scalar(select(func.count(SearchGap.id)).where(SearchGap.at > day))
    return (today or 0) < limits.per_day
