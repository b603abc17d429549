"""Managing a sent notice from Telegram: who may, its status, corrections, recalls.

The delivery side (re-queueing copies as edits or cancels, their audit entries) is
broadcasts.outbox; this module adds the checks a person in Telegram needs.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from bot.services.common import audit
from bot.services.common.errors import Invalid, NotFound
from bot.services.directory.roles import Principal
from bot.services.notices.acks import count_acks
from bot.services.notices.announcements import leader_groups
from bot.services.notices.approval import lost as approval_lost
from broadcasts import outbox
from models import Notice, NoticeStatus, Role, rowcount, utcnow

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
    """An administrator of the notice's ward; or its author while they still hold a role that
    lets them post it (an official of that ward, or the leader of every group it went to).
    Authorship alone grants nothing: a revoked official loses their notices at once."""
    if principal is None:
        return False
    if principal.has(Role.WARD_ADMIN, ward_id=notice.ward_id):
        return True
    if notice.created_by != principal.telegram_id:
        return False
    if principal.has(Role.WARD_OFFICIAL, ward_id=notice.ward_id):
        return True
    aud = notice.audience or {}
    own = set(leader_groups(principal, notice.ward_id))
    return aud.get("kind") == "groups" and bool(own) and set(aud.get("group_ids") or []) <= own


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
    session: AsyncSession, notice_id: int, actor_id: int, mode: str = "mark", name: str = ""
) -> tuple[outbox.Progress, bool]:
    """Cancel a notice: pending copies stop, delivered ones are struck out or deleted.

    A notice still waiting for approval is withdrawn (it has no copies yet): the second value
    is True then. Each is one conditional UPDATE, so of a withdrawal and an approval (or two
    recalls) at once exactly one happens, and the other presser is told who did what.
    """
    if mode not in CANCEL_MODES:
        raise Invalid("error.invalid")
    notice = await get(session, notice_id)
    if notice.status is NoticeStatus.CANCELLED:
        raise lost(notice)
    if notice.status not in RECALLABLE:
        raise Invalid("manage.not_published", id=notice_id)
    if notice.status is NoticeStatus.PENDING_APPROVAL:
        return await _withdraw(session, notice, actor_id, name), True
    try:
        return await outbox.cancel(session, notice_id, actor_id, mode, name=name), False
    except Invalid:
        await session.rollback()
        raise lost(await get(session, notice_id)) from None


async def _withdraw(
    session: AsyncSession, notice: Notice, actor_id: int, name: str
) -> outbox.Progress:
    notice_id = notice.id  # a rollback expires the object
    done = await session.execute(
        update(Notice)
        .where(Notice.id == notice_id, Notice.status == NoticeStatus.PENDING_APPROVAL)
        .values(
            status=NoticeStatus.CANCELLED,
            cancelled_by=actor_id,
            decided_name=name[:160] or None,
            decided_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    )
    if rowcount(done) != 1:  # approved, rejected or withdrawn a moment ago
        await session.rollback()
        fresh = await get(session, notice_id)
        raise lost(fresh) if fresh.status is NoticeStatus.CANCELLED else approval_lost(fresh)
    audit.record(session, "notice.cancelled", actor_id=actor_id, target=f"notice:{notice_id}",
                 mode="withdrawn")  # fmt: skip
    await session.commit()
    return await outbox.progress(session, notice_id)


def lost(notice: Notice) -> Invalid:
    """Someone cancelled it first: who, and how."""
    name = notice.decided_name or "?"
    if notice.queued_at is None:  # withdrawn before it was ever sent
        return Invalid("manage.lost_withdrawn", id=notice.id, name=name)
    return Invalid("manage.lost", id=notice.id, name=name)


async def live_by_author(
    session: AsyncSession, telegram_id: int, ward_ids: set[int] | None
) -> list[Notice]:
    """Every notice this person wrote that still stands (for /revoke): sent, sending, or
    waiting, and not expired, however old."""
    now = utcnow()
    stmt = (
        select(Notice)
        .where(
            Notice.created_by == telegram_id,
            Notice.status.in_(RECALLABLE),
            Notice.parent_id.is_(None),
            (Notice.expires_at.is_(None)) | (Notice.expires_at > now),
        )
        .options(defer(Notice.media_bytes))
    )
    if ward_ids is not None:
        stmt = stmt.where(Notice.ward_id.in_(ward_ids))
    return list(await session.scalars(stmt.order_by(Notice.id)))


async def recall_author(
    session: AsyncSession, telegram_id: int, principal: Principal, name: str = ""
) -> list[int]:
    """Cancel every live notice of a revoked person in the wards `principal` administers.

    Returns the ids cancelled; each gets its own audit entry, plus one for the whole action.
    """
    notices = await live_by_author(session, telegram_id, principal.wards_administered())
    ids = [n.id for n in notices if principal.has(Role.WARD_ADMIN, ward_id=n.ward_id)]
    done = []
    for notice_id in ids:  # plain ids: a rollback below expires the loaded rows
        try:
            if (await get(session, notice_id)).status is NoticeStatus.PENDING_APPROVAL:
                await _withdraw(session, await get(session, notice_id), principal.telegram_id,
                                name)  # fmt: skip
            else:
                await outbox.cancel(session, notice_id, principal.telegram_id, "mark", name=name)
        except Invalid:  # decided or cancelled meanwhile by someone else
            await session.rollback()
            continue
        done.append(notice_id)
    audit.record(
        session,
        "notice.recall_author",
        actor_id=principal.telegram_id,
        target=str(telegram_id),
        notices=done,
    )
    await session.commit()
    return done
