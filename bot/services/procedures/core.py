"""Procedure guides: the catalog in the database, search, gaps and QR scans.

The bot, the web pages and the CLI all call these functions. The search index lives in memory,
one per database engine, and is rebuilt when the catalog's version stamp (row count and last
update) changes, so every instance sees an import made by any other.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import weakref
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.common.errors import Invalid, NotFound
from bot.services.procedures import gaps
from bot.services.procedures.catalog import DEFAULT_CATALOG, guide_from, load_catalog
from bot.services.procedures.guides import FIELDS, Guide, guide_dict
from bot.services.procedures.search_index import GOOD_SCORE, Hit, SearchIndex
from bot.services.procedures.search_text import MAX_QUERY, fold, terms
from models import Procedure, ProcedureScan, SearchGap, utcnow

logger = logging.getLogger(__name__)

PLACE_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_CODE_IN_LINK = re.compile(r"^(\d)[._](\d{6})$")
_INDEXES: weakref.WeakKeyDictionary[Engine, tuple[tuple[int, Any], SearchIndex, float]] = (
    weakref.WeakKeyDictionary()
)
# The index is kept hot: the catalog's stamp is read at most this often (an import by this
# process drops the index at once; one by another process is seen within this many seconds).
RECHECK_SECONDS = 2.0
_LOCKS: weakref.WeakKeyDictionary[Engine, tuple[Any, asyncio.Lock]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    removed: int
    unchanged: int

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: list[Hit]
    good: bool  # the best hit is a confident answer
    understood: bool = True  # False: no word that could name a procedure (never a gap)


@dataclass(frozen=True)
class Gap:
    query: str
    count: int
    last_at: datetime


@dataclass(frozen=True)
class ScanCount:
    place: str | None
    code: str
    count: int


# -- the catalog in the database --------------------------------------------------------------


_COLUMNS = tuple(c.key for c in Procedure.__table__.columns if c.key != "updated_at")


def _row_values(g: Guide) -> dict[str, Any]:
    return {**guide_dict(g), "verified_on": g.verified_on}


def _guide(row: Procedure) -> Guide:
    return guide_from({c: getattr(row, c) for c in _COLUMNS})


async def import_guides(
    session: AsyncSession, guides: list[Guide], *, whole: bool = True
) -> ImportReport:
    """Store `guides`. With `whole` they are the whole catalog: guides not among them are
    removed; otherwise they are added or updated one by one. Commits."""
    if len({g.code for g in guides}) != len(guides):
        raise ValueError("each code may appear once in a catalog")  # load_catalog ensures it
    existing = {p.code: p for p in await session.scalars(select(Procedure))}
    created = updated = unchanged = 0
    now = utcnow()
    for g in guides:
        values = _row_values(g)
        row = existing.pop(g.code, None)
        if row is None:
            session.add(Procedure(**values, updated_at=now))
            created += 1
        elif all(getattr(row, k) == v for k, v in values.items()):
            unchanged += 1
        else:
            for k, v in values.items():
                setattr(row, k, v)
            row.updated_at = now
            updated += 1
    if not whole:
        existing = {}
    if existing:
        await session.execute(delete(Procedure).where(Procedure.code.in_(list(existing))))
    await session.commit()
    if isinstance(engine := session.get_bind(), Engine):
        _INDEXES.pop(engine, None)
    removed = len(existing)
    logger.info("catalog import: %s created, %s updated, %s removed", created, updated, removed)
    return ImportReport(created, updated, removed, unchanged)


async def import_catalog(session: AsyncSession, path: Path) -> ImportReport:
    """Validate every file under `path` (CatalogRejected lists all problems), then import:
    a folder is the whole catalog, a single file adds or updates one guide."""
    # Reading and parsing files blocks: off the event loop (the bot may be serving).
    guides, whole = await asyncio.to_thread(lambda: (load_catalog(path), path.is_dir()))
    return await import_guides(session, guides, whole=whole)


async def ensure_catalog(session: AsyncSession, path: Path = DEFAULT_CATALOG) -> int:
    """Import the shipped catalog when the table is empty (first start). Returns guides added."""
    if await session.scalar(select(func.count()).select_from(Procedure)):
        return 0
    report = await import_catalog(session, path)
    return report.created


async def export_files(session: AsyncSession) -> dict[str, str]:
    """The stored catalog as `{"<field>/<code>.yaml": text}`, in the import format."""
    index = await get_index(session)
    return {
        f"{g.field}/{g.code}.yaml": yaml.safe_dump(
            guide_dict(g), allow_unicode=True, sort_keys=False, width=100
        )
        for g in index.guides
    }


async def get_index(session: AsyncSession) -> SearchIndex:
    """The search index of the stored catalog, rebuilt only when the catalog changed."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    cached = _INDEXES.get(engine)
    if cached is not None and time.monotonic() - cached[2] < RECHECK_SECONDS:
        return cached[1]
    # One check (and one rebuild) at a time: a burst of searches after a start or a catalog
    # change would otherwise each build the same index.
    loop, lock = _LOCKS.get(engine) or (None, None)
    if lock is None or loop is not asyncio.get_running_loop():
        loop, lock = asyncio.get_running_loop(), asyncio.Lock()
        _LOCKS[engine] = (loop, lock)
    async with lock:
        return await _check_index(session, engine)


async def _check_index(session: AsyncSession, engine: Engine) -> SearchIndex:
    cached = _INDEXES.get(engine)
    if cached is not None and time.monotonic() - cached[2] < RECHECK_SECONDS:
        return cached[1]
    count, last = (
        await session.execute(select(func.count(), func.max(Procedure.updated_at)))
    ).one()
    stamp = (count, last)
    if cached is not None and cached[0] == stamp:
        _INDEXES[engine] = (stamp, cached[1], time.monotonic())
        return cached[1]
    rows = await session.scalars(select(Procedure).order_by(Procedure.field, Procedure.code))
    index = SearchIndex(_guide(r) for r in rows)
    _INDEXES[engine] = (stamp, index, time.monotonic())
    return index


# -- reading ----------------------------------------------------------------------------------


def parse_code(text: str) -> str | None:
    """ "1.001193" or "1_001193" (deep links cannot carry a dot) → "1.001193"."""
    m = _CODE_IN_LINK.match(text.strip())
    return f"{m.group(1)}.{m.group(2)}" if m else None


async def to_check(session: AsyncSession, today: date) -> tuple[list[Guide], list[Guide]]:
    """Guides an official should check: (checked over STALE_AFTER ago, never checked)."""
    index = await get_index(session)
    states = [(g.verification(today), g) for g in index.guides]
    stale = sorted((g for s, g in states if s == "stale"), key=lambda g: g.verified_on or today)
    return stale, [g for s, g in states if s == "unverified"]


async def get_guide(session: AsyncSession, code: str) -> Guide:
    """The guide with this national code, or NotFound("guide.not_found")."""
    index = await get_index(session)
    guide = index.by_code.get(parse_code(code) or code.strip())
    if guide is None:
        raise NotFound("guide.not_found", code=code[:20])
    return guide


async def field_counts(session: AsyncSession) -> list[tuple[str, int]]:
    """(field, number of guides) in browsing order, fields without guides left out."""
    index = await get_index(session)
    counts = {f: 0 for f in FIELDS}
    for g in index.guides:
        counts[g.field] = counts.get(g.field, 0) + 1
    return [(f, n) for f, n in counts.items() if n]


async def guides_in_field(session: AsyncSession, field: str) -> list[Guide]:
    index = await get_index(session)
    found = [g for g in index.guides if g.field == field]
    if not found:
        raise NotFound("guide.field_unknown")
    return sorted(found, key=lambda g: (not g.in_force, g.title_vi))


def check_query(text: str) -> str:
    """The query trimmed, or Invalid when empty or longer than MAX_QUERY characters."""
    text = " ".join(text.split())
    if not text:
        raise Invalid("guide.query_empty")
    if len(text) > MAX_QUERY:
        raise Invalid("guide.query_too_long", limit=MAX_QUERY)
    return text


async def search(
    session: AsyncSession,
    text: str,
    *,
    limit: int = 5,
    source: str = "bot",
    record: bool = True,
    subject: str | None = None,
    limits: gaps.GapLimits = gaps.GapLimits(),
) -> SearchResult:
    """Best guides for what a resident typed. A search with no good answer is recorded as a
    gap (when `record`, within `limits` for `subject`, a pseudonym of who searched) so
    officials see what the catalog lacks. Commits when it records."""
    query = check_query(text)
    if not terms(query) and parse_code(query) is None:  # greetings, thanks, punctuation
        return SearchResult(query, [], good=False, understood=False)
    index = await get_index(session)
    hits = index.search(query, limit)
    good = bool(hits) and hits[0].score >= GOOD_SCORE
    normalized = " ".join(fold(query).split())[:MAX_QUERY]
    if not good and record and await gaps.admit(session, normalized, subject, limits):
        session.add(
            SearchGap(
                query=query,
                normalized=normalized,
                source=source,
                best_code=hits[0].guide.code if hits else None,
                best_score=hits[0].score if hits else 0.0,
                subject=subject,
            )
        )
        await session.commit()
    return SearchResult(query, hits, good)


# -- gaps and scans ---------------------------------------------------------------------------


async def top_gaps(session: AsyncSession, *, days: int = 30, limit: int = 15) -> list[Gap]:
    """The most frequent searches without a good answer in the last `days` days."""
    since = utcnow() - timedelta(days=days)
    rows = await session.execute(
        select(
            SearchGap.normalized, func.count(), func.max(SearchGap.query), func.max(SearchGap.at)
        )
        .where(SearchGap.at >= since)
        .group_by(SearchGap.normalized)
        .order_by(func.count().desc(), func.max(SearchGap.at).desc())
        .limit(limit)
    )
    return [Gap(query=q, count=n, last_at=at) for _, n, q, at in rows]


def check_place(place: str | None) -> str | None:
    if place is None or place == "":
        return None
    if not PLACE_RE.match(place):
        raise Invalid("guide.place_invalid")
    return place


async def record_scan(session: AsyncSession, code: str, place: str | None) -> Guide:
    """Note that a guide was opened from a QR code or link (no user id kept). Commits."""
    guide = await get_guide(session, code)
    session.add(ProcedureScan(code=guide.code, place=check_place(place)))
    await session.commit()
    return guide


async def scan_counts(session: AsyncSession, *, days: int = 30) -> list[ScanCount]:
    since = utcnow() - timedelta(days=days)
    rows = await session.execute(
        select(ProcedureScan.place, ProcedureScan.code, func.count())
        .where(ProcedureScan.at >= since)
        .group_by(ProcedureScan.place, ProcedureScan.code)
        .order_by(func.count().desc(), ProcedureScan.code)
    )
    return [ScanCount(place, code, n) for place, code, n in rows]


# -- links ------------------------------------------------------------------------------------


def start_payload(code: str, place: str | None = None) -> str:
    """The /start payload for a guide: "p-1_001193" or "p-1_001193-counter" (≤ 64, ASCII)."""
    payload = "p-" + code.replace(".", "_") + (f"-{check_place(place)}" if place else "")
    assert len(payload) <= 64 and payload.isascii()
    return payload


def parse_payload(payload: str) -> tuple[str, str | None]:
    """ "p-1_001193-counter" → ("1_001193", "counter"); the code is checked by get_guide."""
    body = payload.removeprefix("p-")
    code, _, place = body.partition("-")
    return code, place or None


def bot_link(username: str, code: str, place: str | None = None) -> str:
    return f"https://t.me/{username}?start={start_payload(code, place)}"


def web_link(public_url: str, code: str) -> str:
    return f"{public_url.rstrip('/')}/p/{code}"
