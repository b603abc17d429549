"""Lookups of procedure guides: QR and link scans (by place and guide) and searches that
found no good answer (gaps). These rows name no person and no ward (the catalog is national,
and Loa keeps no log of successful searches), so the figures are the same for every ward of
one Loa installation. Counted by the database (GROUP BY), not row by row."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.stats.period import bucket_hours, hour_bucket
from models import ProcedureScan, SearchGap

TOP = 5


def _top(counter: Counter[str]) -> list[list[Any]]:
    """The most frequent first, then alphabetical: [[name, count], ...]."""
    return [[k, n] for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]]


async def _count(session: AsyncSession, column: Any, *where: Any) -> Counter[Any]:
    rows = await session.execute(select(column, func.count()).where(*where).group_by(column))
    return Counter({key: int(n) for key, n in rows})


async def lookups(
    session: AsyncSession, since: datetime, until: datetime, tz: ZoneInfo
) -> tuple[dict[str, Any], list[int]]:
    """The lookup figures, and lookups (scans and gaps) per local hour."""
    scan = (ProcedureScan.at >= since, ProcedureScan.at < until)
    gap = (SearchGap.at >= since, SearchGap.at < until)
    places = await _count(session, ProcedureScan.place, *scan)
    guides = await _count(session, ProcedureScan.code, *scan)
    gaps = await _count(session, SearchGap.normalized, *gap)
    dialect = session.get_bind().dialect.name
    hours = await _count(session, hour_bucket(ProcedureScan.at, dialect), *scan)
    hours.update(await _count(session, hour_bucket(SearchGap.at, dialect), *gap))
    figures = {
        "scans": sum(places.values()),
        "scans_by_place": {
            p or "": n for p, n in sorted(places.items(), key=lambda kv: kv[0] or "")
        },
        "top_guides": _top(guides),
        "gaps": sum(gaps.values()),
        "top_gaps": _top(gaps),
    }
    return figures, bucket_hours(hours.items(), tz)
