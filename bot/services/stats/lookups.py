"""Lookups of procedure guides: QR and link scans (by place and guide) and searches that
found no good answer (gaps). These rows name no person and no ward (the catalog is national,
and Loa keeps no log of successful searches), so the figures are the same for every ward of
one Loa installation."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.stats.period import by_hour
from models import ProcedureScan, SearchGap

TOP = 5


def _top(counter: Counter[str]) -> list[list[Any]]:
    """The most frequent first, then alphabetical: [[name, count], ...]."""
    return [[k, n] for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]]


async def lookups(
    session: AsyncSession, since: datetime, until: datetime, tz: ZoneInfo
) -> tuple[dict[str, Any], list[int]]:
    """The lookup figures, and lookups (scans and gaps) per local hour."""
    scans = (
        await session.execute(
            select(ProcedureScan.at, ProcedureScan.code, ProcedureScan.place).where(
                ProcedureScan.at >= since, ProcedureScan.at < until
            )
        )
    ).all()
    gaps = (
        await session.execute(
            select(SearchGap.at, SearchGap.normalized).where(
                SearchGap.at >= since, SearchGap.at < until
            )
        )
    ).all()
    figures = {
        "scans": len(scans),
        "scans_by_place": dict(sorted(Counter(p or "" for *_, p in scans).items())),
        "top_guides": _top(Counter(code for _, code, _ in scans)),
        "gaps": len(gaps),
        "top_gaps": _top(Counter(q for _, q in gaps)),
    }
    return figures, by_hour([at for at, *_ in scans] + [at for at, _ in gaps], tz)
