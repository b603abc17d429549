""" "Is this official?": compare a forwarded text with the notices Loa published.

A forwarded copy carries the header lines Loa put on top ("📢 THÔNG BÁO", "✏️ ĐÍNH CHÍNH", ...)
in whichever language it was rendered; they are stripped before comparing. Only the current
text of a notice is stored, so a copy forwarded before a correction reads as "altered" (the
answer then says the notice was corrected).
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from bot.catalog import Catalog
from broadcasts.render import ISSUER_DASH
from models import Notice, NoticeStatus, Urgency, Ward, utcnow

WINDOW = timedelta(days=180)
CLOSE = 0.6  # difflib ratio from which a text is "the same notice, altered"
PART_MIN = 120  # a forwarded piece this long found inside a notice is one of its parts
PUBLISHED = (NoticeStatus.QUEUED, NoticeStatus.DONE, NoticeStatus.CANCELLED)
PUBLIC = ("ward", "groups")  # audiences residents see; leaders' and tech notices are internal
MARK_KEYS = (
    *(f"notice.header_{u.value}" for u in Urgency),
    "notice.mark_correction",
    "notice.mark_cancelled",
    "notice.continued",
)


@dataclass(frozen=True)
class Verdict:
    kind: str  # official | altered | unknown
    notice_id: int | None = None
    ward: str = ""
    sent_at: datetime | None = None
    cancelled: bool = False
    corrected: bool = False
    official_text: str = ""
    ratio: float = 0.0


@lru_cache(maxsize=1)
def _mark_lines() -> frozenset[str]:
    catalog = Catalog()
    return frozenset(
        normalize_line(catalog.text(key, lang)) for key in MARK_KEYS for lang in ("vi", "en")
    )


def normalize_line(line: str) -> str:
    return " ".join(unicodedata.normalize("NFC", line).split()).casefold()


def normalize(text: str) -> str:
    """The body of a notice as comparable text: no header lines, whitespace collapsed."""
    lines = [normalize_line(line) for line in text.splitlines()]
    marks = _mark_lines()
    while lines and (not lines[0] or _is_mark(lines[0], marks)):
        lines.pop(0)
    return " ".join(line for line in lines if line)


def _is_mark(line: str, marks: frozenset[str]) -> bool:
    """A header line, with or without its issuer ("📢 thông báo — ủy ban nhân dân ...")."""
    return line in marks or line.split(f" {ISSUER_DASH} ", 1)[0] in marks


async def check(session: AsyncSession, text: str) -> Verdict:
    """The published notice this text is (official), resembles (altered), or neither."""
    body = normalize(text)
    if not body:
        return Verdict("unknown")
    since = utcnow() - WINDOW
    rows = await session.execute(
        select(Notice, Ward.name)
        .join(Ward, Ward.id == Notice.ward_id)
        .where(
            Notice.status.in_(PUBLISHED),
            Notice.queued_at >= since,
        )
        .order_by(Notice.queued_at.desc())
        .options(defer(Notice.media_bytes))  # photos stay in the database
    )
    best: tuple[float, Notice, str] | None = None
    for notice, ward in rows.tuples():
        if (notice.audience or {}).get("kind", "ward") not in PUBLIC:
            continue
        official = normalize(notice.text)
        if official == body or (len(body) >= PART_MIN and body in official):
            return _verdict("official", notice, ward, 1.0)
        matcher = difflib.SequenceMatcher(None, body, official, autojunk=False)
        if matcher.real_quick_ratio() < CLOSE or matcher.quick_ratio() < CLOSE:
            continue
        ratio = matcher.ratio()
        if ratio >= CLOSE and (best is None or ratio > best[0]):
            best = (ratio, notice, ward)
    if best is None:
        return Verdict("unknown")
    return _verdict("altered", best[1], best[2], best[0])


def _verdict(kind: str, notice: Notice, ward: str, ratio: float) -> Verdict:
    return Verdict(
        kind,
        notice.id,
        ward,
        max(notice.queued_at or notice.created_at, notice.scheduled_at or notice.created_at),
        cancelled=notice.status is NoticeStatus.CANCELLED,
        corrected=notice.version > 1,
        official_text=notice.text,
        ratio=ratio,
    )
