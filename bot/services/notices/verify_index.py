"""The index behind "is this official?": answers in milliseconds whatever the archive size.

Per published notice it keeps the normalised body, a hash of it (exact matches) and a sample
of its word shingles in an inverted index (near matches and forwarded parts). A check looks
up the notices that share the text's rarest shingles and compares only the best few, word by
word. The index lives in the process; before each check two primary-key lookups tell whether
notices were published, corrected or recalled since, and only those are (re)read. Building
it (the first check after a start, tens of thousands of notices) runs in a worker thread so
the event loop keeps answering everybody else.
"""

from __future__ import annotations

import asyncio
import difflib
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEntry, Notice, NoticeStatus, Ward

SHINGLE = 4  # words per shingle
SAMPLE = 2  # a long notice keeps one shingle in SAMPLE (by hash) in the inverted index
KEEP_ALL = 40  # ... but every shingle of a short one
RAREST = 16  # a check looks up its rarest shingles only: common phrases tell little
CANDIDATES = 5  # compared word by word


@dataclass
class Entry:
    notice_id: int
    version: int
    status: NoticeStatus
    public: bool
    queued_at: datetime | None
    ward: str
    body: str
    words: list[str]
    meta: dict[str, Any] = field(default_factory=dict)


def shingles(words: list[str]) -> set[int]:
    """Hashes of the runs of SHINGLE words (crc32: the same in every process and run)."""
    if not words:
        return set()
    n = min(SHINGLE, len(words))
    return {zlib.crc32(" ".join(words[i : i + n]).encode()) for i in range(len(words) - n + 1)}


def _sample(words: list[str]) -> set[int]:
    all_ = shingles(words)
    return all_ if len(all_) < KEEP_ALL else {h for h in all_ if h % SAMPLE == 0}


class Index:
    """One per process (dispatcher workflow data); safe to share between handlers."""

    def __init__(self) -> None:
        self.entries: dict[int, Entry] = {}
        self.exact: dict[str, set[int]] = defaultdict(set)
        self.postings: dict[int, set[int]] = defaultdict(set)
        self._keys: dict[int, set[int]] = {}
        self._signature: tuple[Any, ...] | None = None
        self._lock = asyncio.Lock()

    # -- keeping up with the database -------------------------------------------------------
    async def refresh(self, session: AsyncSession, published: tuple[NoticeStatus, ...],
                      normalize: Any, public: tuple[str, ...]) -> None:  # fmt: skip
        """Read what changed since the last check (nothing, most of the time).

        Two primary-key lookups tell: a new notice raises the highest notice id, and every
        change of one (queued, corrected, cancelled, withdrawn) writes an audit entry naming it.
        """
        marks = select(
            select(func.max(Notice.id)).scalar_subquery(),
            select(func.max(AuditEntry.id)).scalar_subquery(),
        )
        top_notice, top_audit = (await session.execute(marks)).one()
        if (top_notice, top_audit) == self._signature:
            return
        async with self._lock:
            if (top_notice, top_audit) == self._signature:
                return
            last_notice, last_audit = self._signature or (None, None)
            if last_notice is None:
                where = Notice.status.in_(published)
            else:
                targets = await session.scalars(
                    select(AuditEntry.target).where(
                        AuditEntry.id > (last_audit or 0), AuditEntry.target.like("notice:%")
                    )
                )
                touched = {
                    int(t.split(":", 1)[1]) for t in targets if t and t.split(":", 1)[1].isdigit()
                }
                where = (
                    (Notice.id > last_notice)
                    | Notice.id.in_(touched)
                    | Notice.parent_id.in_(touched)  # a recall takes its reminders with it
                )
            columns = select(
                Notice.id, Notice.version, Notice.status, Notice.queued_at, Notice.scheduled_at,
                Notice.created_at, Notice.text, Notice.audience, Ward.name,
            ).join(Ward, Ward.id == Notice.ward_id)  # fmt: skip
            rows = (await session.execute(columns.where(where))).all()
            todo = [tuple(r) for r in rows]
            if len(todo) > 200:  # a cold start: the CPU work goes to a thread
                await asyncio.to_thread(self._apply, todo, published, normalize, public)
            else:
                self._apply(todo, published, normalize, public)
            self._signature = (top_notice, top_audit)

    def _drop(self, notice_id: int) -> None:
        entry = self.entries.pop(notice_id, None)
        if entry is None:
            return
        self.exact[entry.body].discard(notice_id)
        for key in self._keys.pop(notice_id, set()):
            self.postings[key].discard(notice_id)

    def _apply(self, rows: list[tuple[Any, ...]], published: tuple[NoticeStatus, ...],
               normalize: Any, public: tuple[str, ...]) -> None:  # fmt: skip
        for nid, version, status, queued, scheduled, created, text, aud, ward in rows:
            self._drop(nid)
            if status not in published:
                continue
            body = normalize(text)
            words = body.split()
            kind = (aud or {}).get("kind", "ward")
            entry = Entry(nid, version, status, kind in public, queued, ward, body, words,
                          {"scheduled_at": scheduled, "created_at": created,
                           "text": text})  # fmt: skip
            self.entries[nid] = entry
            self.exact[body].add(nid)
            keys = _sample(words)
            self._keys[nid] = keys
            for key in keys:
                self.postings[key].add(nid)

    # -- answering ----------------------------------------------------------------------------
    def lookup(
        self, body: str, since: datetime, part_min: int, close: float
    ) -> tuple[str, Entry, float] | None:
        """("official" | "altered", the notice, similarity) or None."""

        def usable(e: Entry) -> bool:
            return e.public and e.queued_at is not None and e.queued_at >= since

        exact = [self.entries[i] for i in self.exact.get(body, ()) if usable(self.entries[i])]
        if exact:
            return "official", max(exact, key=lambda e: e.queued_at or since), 1.0
        words = body.split()
        hits: Counter[int] = Counter()
        postings = [p for p in map(self.postings.get, shingles(words)) if p]
        for posting in sorted(postings, key=len)[:RAREST]:
            hits.update(posting)
        best: tuple[float, Entry] | None = None
        compared = 0
        for nid, _count in hits.most_common():
            entry = self.entries[nid]
            if not usable(entry):
                continue
            compared += 1
            if compared > CANDIDATES:
                break
            if len(body) >= part_min and body in entry.body:
                return "official", entry, 1.0
            matcher = difflib.SequenceMatcher(None, words, entry.words, autojunk=False)
            floor = max(close, best[0] if best else 0.0)
            if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
                continue  # cannot beat what we have: skip the costly comparison
            ratio = matcher.ratio()
            if ratio >= floor:
                best = (ratio, entry)
        return ("altered", best[1], best[0]) if best else None
