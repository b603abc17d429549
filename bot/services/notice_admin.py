"""Managing a sent notice from Telegram: who may, its status, corrections, recalls.

The delivery side (re-queueing copies as edits or cancels, their audit entries) is
broadcasts.outbox; this module adds the checks a person in Telegram needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from bot.services import audit
from bot.services.acks import count_acks
from bot.services.errors import Invalid, NotFound
from bot.services.roles import Principal
from broadcasts import outbox
from models import Notice, NoticeStatus, Role, utcnow

MAX_CORRECTION = 4000  # one Telegram message with its header
RECALLABLE = (NoticeStatus.QUEUED, NoticeStatus.DONE, NoticeStatus.PENDING_APPROVAL)
CANCEL_MODES = ("mark", "delete")


@dataclass(frozen=True)
class Summary:
    notice: Notice
    progress: outbox.Progress
    acks: int


async def get(session: AsyncSession, notice_id: int) -> Notice:
    notice = await session.get(Notice, notice_id, populate_existing=True)
    if notice is None:
        raise NotFound("notice.not_found", id=notice_id)
    return notice


def may_manage(principal: Principal | None, notice: Notice) -> bool:
    """The author, or an administrator of the notice's ward."""
    if principal is None:
        return False
    return notice.created_by == principal.telegram_id or principal.has(
        Role.WARD_ADMIN, ward_id=notice.ward_id
    )


def may_view_status(principal: Principal | None, notice: Notice) -> bool:
    """/notice N: the author, the ward's officials and administrators."""
    return may_manage(principal, notice) or (
        principal is not None and principal.has(Role.WARD_OFFICIAL, ward_id=notice.ward_id)
    )


async def summary(session: AsyncSession, notice_id: int) -> Summary:
    notice = await get(session, notice_id)
    return Summary(
        notice, await outbox.progress(session, notice_id), await count_acks(session, notice_id)
    )


def check_correction(text: str) -> str:
    """The new text, trimmed; refuses an empty or too long one."""
    text = (text or "").strip()
    if not text:
        raise Invalid("notice.empty")
    if len(text) > MAX_CORRECTION:
        raise Invalid("manage.too_long", limit=MAX_CORRECTION, length=len(text))
    return text


async def correct(
    session: AsyncSession, notice_id: int, text: str, actor_id: int
) -> outbox.Progress:
    """Edit every delivered copy to the new text (marked "ĐÍNH CHÍNH"); commits."""
    notice = await get(session, notice_id)
    if notice.status not in RECALLABLE:
        raise Invalid("manage.not_published", id=notice_id)
    return await outbox.correct(session, notice_id, check_correction(text), actor_id)


async def recall(
    session: AsyncSession, notice_id: int, actor_id: int, mode: str = "mark"
) -> outbox.Progress:
    """Cancel a notice: pending copies stop, delivered ones are struck out or deleted.

    A notice still waiting for approval is simply withdrawn (it has no copies yet).
    """
    if mode not in CANCEL_MODES:
        raise Invalid("error.invalid")
    notice = await get(session, notice_id)
    if notice.status is NoticeStatus.CANCELLED:
        raise Invalid("notice.already_cancelled")
    if notice.status not in RECALLABLE:
        raise Invalid("manage.not_published", id=notice_id)
    return await outbox.cancel(session, notice_id, actor_id, mode)


async def recent_by_author(
    session: AsyncSession, telegram_id: int, ward_ids: set[int] | None, hours: int = 24
) -> list[Notice]:
    """Notices this person wrote in the last `hours` that still stand (for /revoke)."""
    stmt = (
        select(Notice)
        .where(
            Notice.created_by == telegram_id,
            Notice.created_at >= utcnow() - timedelta(hours=hours),
            Notice.status.in_(RECALLABLE),
        )
        .options(defer(Notice.media_bytes))
    )
    if ward_ids is not None:
        stmt = stmt.where(Notice.ward_id.in_(ward_ids))
    return list(await session.scalars(stmt.order_by(Notice.id)))


async def recall_author(
    session: AsyncSession, telegram_id: int, principal: Principal, hours: int = 24
) -> list[int]:
    """Cancel every recent notice of a revoked person in the wards `principal` administers.

    Returns the ids cancelled; each gets its own audit entry, plus one for the whole action.
    """
    notices = await recent_by_author(session, telegram_id, principal.wards_administered(), hours)
    done = []
    for notice in notices:
        if not principal.has(Role.WARD_ADMIN, ward_id=notice.ward_id):
            continue
        try:
            await outbox.cancel(session, notice.id, principal.telegram_id, "mark")
        except Invalid:  # cancelled meanwhile by someone else
            continue
        done.append(notice.id)
    audit.record(
        session,
        "notice.recall_author",
        actor_id=principal.telegram_id,
        target=str(telegram_id),
        notices=done,
    )
    await session.commit()
    return done
