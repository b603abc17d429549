"""The public notice board: what a ward has said to everyone, for people without Telegram.

Only notices residents were meant to see (audience: the whole ward or some groups) that went
out: queued or done once their send time came, or cancelled after a copy reached a chat (shown
as cancelled: the board keeps the record honest). Never drafts, notices waiting for approval or
rejected, notices cancelled before any copy went out, reminders (they repeat their original),
internal notices (leaders, tech team) or notices to named residents. A correction waiting for
approval is not shown: the board carries the approved text. Nothing about who wrote, approved
or received a notice leaves this module, only the issuer the notice itself names.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.common.errors import NotFound
from bot.services.notices.verify import PUBLIC
from models import AuditEntry, Delivery, Notice, NoticeStatus, Ward, utcnow

RECENT_DAYS = 90
LIMIT = 50


@dataclass(frozen=True)
class BoardNotice:
    id: int
    kind: str  # notice | event | emergency
    urgency: str  # normal | urgent | emergency
    text: str
    issuer: str
    published_at: datetime
    updated_at: datetime  # the last correction or cancellation, else published_at
    event_at: datetime | None
    expires_at: datetime | None
    corrected: bool
    cancelled: bool
    media: str | None = None  # photo | document: shown in Telegram only

    def current(self, now: datetime) -> bool:
        """Still in force: neither cancelled nor expired."""
        return not self.cancelled and (self.expires_at is None or self.expires_at > now)


def slug(name: str) -> str:
    """ "Phường Sông Cầu" → "phuong-song-cau": letters without marks, words joined by dashes."""
    plain = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_ = "".join(c for c in plain if unicodedata.category(c) != "Mn").lower()
    return "-".join("".join(c if c.isalnum() and c.isascii() else " " for c in ascii_).split())


async def find_ward(session: AsyncSession, key: str) -> Ward:
    """A ward by its slug or its id, as written in the board's address."""
    key = key.strip().lower()
    if key.isdigit() and len(key) < 10:
        ward = await session.get(Ward, int(key))
        if ward is not None:
            return ward
    for ward in await session.scalars(select(Ward).order_by(Ward.id)):
        if slug(ward.name) == key:
            return ward
    raise NotFound("board.ward_not_found", ward=key[:40])


def _published_at() -> ColumnElement[datetime]:
    """When the notice went out: its send time if it was held, else when it was queued."""
    return func.coalesce(Notice.scheduled_at, Notice.queued_at)


def _public(ward_id: int, now: datetime) -> ColumnElement[bool]:
    reached = exists().where(Delivery.notice_id == Notice.id, Delivery.sent_at.is_not(None))
    return and_(
        Notice.ward_id == ward_id,
        Notice.parent_id.is_(None),
        Notice.queued_at.is_not(None),
        or_(Notice.scheduled_at.is_(None), Notice.scheduled_at <= now),
        or_(
            Notice.status.in_((NoticeStatus.QUEUED, NoticeStatus.DONE)),
            and_(Notice.status == NoticeStatus.CANCELLED, reached),
        ),
    )


async def _changes(session: AsyncSession, ids: list[int]) -> dict[tuple[str, int], datetime]:
    """(action, notice id) → when it was last corrected / cancelled, from the audit log."""
    if not ids:
        return {}
    targets = {f"notice:{i}": i for i in ids}
    rows = await session.execute(
        select(AuditEntry.action, AuditEntry.target, func.max(AuditEntry.at))
        .where(
            AuditEntry.action.in_(("notice.corrected", "notice.cancelled")),
            AuditEntry.target.in_(list(targets)),
        )
        .group_by(AuditEntry.action, AuditEntry.target)
    )
    return {(action, targets[target]): at for action, target, at in rows.all()}


async def _rows(session: AsyncSession, where: ColumnElement[bool]) -> list[BoardNotice]:
    columns = (
        Notice.id, Notice.kind, Notice.urgency, Notice.text, Notice.issuer, Notice.audience,
        Notice.queued_at, Notice.scheduled_at, Notice.event_at, Notice.expires_at, Notice.status,
        Notice.media_type,
    )  # fmt: skip
    rows = [
        r
        for r in (await session.execute(select(*columns).where(where))).all()
        if (r.audience or {}).get("kind", "ward") in PUBLIC
    ]
    changes = await _changes(session, [r.id for r in rows])
    out = []
    for r in rows:
        published = max(r.queued_at, r.scheduled_at or r.queued_at)
        corrected = changes.get(("notice.corrected", r.id))
        cancelled = changes.get(("notice.cancelled", r.id))
        out.append(
            BoardNotice(
                id=r.id, kind=r.kind, urgency=r.urgency.value, text=r.text,
                issuer=r.issuer or "", published_at=published,
                updated_at=max(published, corrected or published, cancelled or published),
                event_at=r.event_at, expires_at=r.expires_at, corrected=corrected is not None,
                cancelled=r.status is NoticeStatus.CANCELLED, media=r.media_type,
            )
        )  # fmt: skip
    return sorted(out, key=lambda n: (n.published_at, n.id), reverse=True)


async def recent(
    session: AsyncSession, ward: Ward, now: datetime | None = None, limit: int = LIMIT
) -> list[BoardNotice]:
    """The ward's public notices of the last 90 days, newest first."""
    now = now or utcnow()
    since = now - timedelta(days=RECENT_DAYS)
    where = and_(_public(ward.id, now), _published_at() >= since)
    return (await _rows(session, where))[:limit]


async def notice(
    session: AsyncSession, ward: Ward, notice_id: int, now: datetime | None = None
) -> BoardNotice:
    """One public notice of this ward (any age); anything else is "not found"."""
    found = await _rows(session, and_(_public(ward.id, now or utcnow()), Notice.id == notice_id))
    if not found:
        raise NotFound("board.notice_not_found", id=notice_id)
    return found[0]
