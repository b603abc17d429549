"""Lookups of procedure guides. The ward's own: every guide shown or searched for by its
people (the `lookups` table: by source, top guides, by hour). The installation's: QR and link
scans (by place and guide) and searches that found no good answer (gaps), whose rows name no
ward. Counted by the database (GROUP BY), not row by row."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.stats.period import bucket_hours, hour_bucket
from models import Lookup, Procedure, ProcedureScan, SearchGap

TOP = 5


def _top(counter: Counter[str], limit: int = TOP) -> list[list[Any]]:
    """The most frequent first, then alphabetical: [[name, count], ...]."""
    return [[k, n] for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]


async def _count(session: AsyncSession, column: Any, *where: Any) -> Counter[Any]:
    rows = await session.execute(select(column, func.count()).where(*where).group_by(column))
    return Counter({key: int(n) for key, n in rows})


async def ward_top_guides(
    session: AsyncSession, ward_id: int, since: datetime, until: datetime, limit: int = TOP
) -> list[list[Any]]:
    """The guides the ward's people looked up most: [[code, title, count], ...]."""
    mine = (Lookup.ward_id == ward_id, Lookup.at >= since, Lookup.at < until)
    codes = await _count(session, Lookup.code, *mine, Lookup.code.is_not(None))
    top = _top(codes, limit)
    titles = dict(
        (await session.execute(
            select(Procedure.code, Procedure.title_vi).where(
                Procedure.code.in_([c for c, _ in top]))
        )).tuples().all()
    )  # fmt: skip
    return [[code, titles.get(code, code), n] for code, n in top]


async def lookups(
    session: AsyncSession, ward_id: int, since: datetime, until: datetime, tz: ZoneInfo
) -> tuple[dict[str, Any], list[int]]:
    """The lookup figures, and the ward's lookups per local hour."""
    mine = (Lookup.ward_id == ward_id, Lookup.at >= since, Lookup.at < until)
    sources = await _count(session, Lookup.source, *mine)
    scan = (ProcedureScan.at >= since, ProcedureScan.at < until)
    gap = (SearchGap.at >= since, SearchGap.at < until)
    places = await _count(session, ProcedureScan.place, *scan)
    guides = await _count(session, ProcedureScan.code, *scan)
    gaps = await _count(session, SearchGap.normalized, *gap)
    dialect = session.get_bind().dialect.name
    hours = await _count(session, hour_bucket(Lookup.at, dialect), *mine)
    figures = {
        "count": sum(sources.values()),
        "by_source": dict(sorted(sources.items())),
        "ward_top_guides": await ward_top_guides(session, ward_id, since, until),
        "scans": sum(places.values()),
        "scans_by_place": {
            p or "": n for p, n in sorted(places.items(), key=lambda kv: kv[0] or "")
        },
        "top_guides": _top(guides),
        "gaps": sum(gaps.values()),
        "top_gaps": _top(gaps),
    }
    return figures, bucket_hours(hours.items(), tz)
