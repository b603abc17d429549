"""A resident's view of notices: the recent ones that reached them, and one notice in full."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from bot.services.common.errors import NotFound
from bot.services.directory.roles import STAFF_ROLES, Principal
from bot.services.notices.verify import PUBLIC, PUBLISHED
from models import Delivery, Notice, NoticeStatus, Resident, TargetKind, utcnow

RECENT_DAYS = 30
RECENT_LIMIT = 10


def _reached(resident: Resident) -> ColumnElement[bool]:
    """Deliveries to the resident's group chat or to their private chat."""
    group_id = resident.household.group_id if resident.household else None
    mine = Delivery.chat_id == resident.telegram_id
    if group_id is None:
        return mine
    return or_(mine, and_(Delivery.target == TargetKind.GROUP, Delivery.group_id == group_id))


async def recent(session: AsyncSession, resident: Resident) -> list[Notice]:
    """Up to 10 notices of the last 30 days delivered to this resident, newest first
    (reminders left out: they repeat their original)."""
    delivered = select(Delivery.notice_id).where(Delivery.sent_at.is_not(None), _reached(resident))
    stmt = (
        select(Notice)
        .where(
            Notice.id.in_(delivered),
            Notice.parent_id.is_(None),
            Notice.status.in_((NoticeStatus.QUEUED, NoticeStatus.DONE)),
            Notice.queued_at >= utcnow() - timedelta(days=RECENT_DAYS),
        )
        .order_by(Notice.queued_at.desc(), Notice.id.desc())
        .limit(RECENT_LIMIT)
        .options(defer(Notice.media_bytes))
    )
    return list(await session.scalars(stmt))


async def viewable(
    session: AsyncSession, notice_id: int, telegram_id: int, principal: Principal | None
) -> Notice:
    """A published notice this person may open: a public one, one sent to them, or any
    notice of their ward for staff. Anything else is "not found" (internal notices exist
    for nobody else)."""
    notice = await session.get(Notice, notice_id)
    if notice is None or notice.status not in PUBLISHED:
        raise NotFound("notice.not_found", id=notice_id)
    if (notice.audience or {}).get("kind", "ward") in PUBLIC:
        return notice
    if principal is not None and principal.has(*STAFF_ROLES, ward_id=notice.ward_id):
        return notice
    sent_to_me = await session.scalar(
        select(Delivery.id).where(Delivery.notice_id == notice_id, Delivery.chat_id == telegram_id)
    )
    if sent_to_me is None:
        raise NotFound("notice.not_found", id=notice_id)
    return notice
