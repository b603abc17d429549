""" "Is this official?": compare a forwarded text with the notices Loa published.

A forwarded copy carries the header lines Loa put on top ("📢 THÔNG BÁO", "✏️ ĐÍNH CHÍNH", ...)
in whichever language it was rendered; they are stripped before comparing. Only the current
text of a notice is stored, so a copy forwarded before a correction reads as "altered" (the
answer then says the notice was corrected). The comparing is done by verify_index.Index: never
a scan of the archive on the event loop.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog import Catalog
from bot.services.verify_index import Entry
from bot.services.verify_index import Index as Index  # re-exported: handlers annotate with it
from broadcasts.render import ISSUER_DASH
from models import NoticeStatus, Urgency, utcnow

WINDOW = timedelta(days=180)
CLOSE = 0.6  # word-level similarity from which a text is "the same notice, altered"
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


async def check(session: AsyncSession, text: str, index: Index | None = None) -> Verdict:
    """The published notice this text is (official), resembles (altered), or neither.

    `index` is the process's verify_index.Index (kept up to date here); without one (the CLI,
    a test) a fresh one is built for this call."""
    body = normalize(text)
    if not body:
        return Verdict("unknown")
    index = index if index is not None else Index()
    await index.refresh(session, PUBLISHED, normalize, PUBLIC)
    found = index.lookup(body, utcnow() - WINDOW, PART_MIN, CLOSE)
    if found is None:
        return Verdict("unknown")
    kind, entry, ratio = found
    return _verdict(kind, entry, ratio)


def _verdict(kind: str, entry: Entry, ratio: float) -> Verdict:
    created = entry.meta["created_at"]
    return Verdict(
        kind,
        entry.notice_id,
        entry.ward,
        max(entry.queued_at or created, entry.meta["scheduled_at"] or created),
        cancelled=entry.status is NoticeStatus.CANCELLED,
        corrected=entry.version > 1,
        official_text=entry.meta["text"],
        ratio=ratio,
    )
