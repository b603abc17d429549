"""Approval of announcements: a second official (never the author) approves or rejects.

Ward-wide and emergency notices wait as pending_approval until then (see
announcements.needs_approval); an approved one is queued like any other. Every decision is one
conditional UPDATE (`… WHERE status = … AND review_round = …`): of two presses at the same
moment exactly one wins, and the other is told who decided what (`lost`). A card carries its
review round; a correction starts a new round, so an older card decides nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services.common import audit
from bot.services.common.errors import Forbidden, Invalid, NotFound
from bot.services.directory.roles import Principal
from bot.services.notices.announcements import OFFICIALS, Submitted, is_official, queue
from broadcasts import outbox
from models import Notice, NoticeStatus, RoleGrant, rowcount, utcnow

LIVE = (NoticeStatus.QUEUED, NoticeStatus.DONE)


def official_wards(principal: Principal) -> set[int] | None:
    """Wards whose notices this person may review; None means every ward (superadmin)."""
    if principal.superadmin:
        return None
    return {g.ward_id for g in principal.grants if g.role in OFFICIALS}


async def reviewers(
    session: AsyncSession, ward_id: int, exclude: int, admin_ids: list[int]
) -> list[int]:
    """Officials and administrators of the ward (and superadmins) other than the author."""
    ids = await session.scalars(
        select(RoleGrant.telegram_id)
        .where(RoleGrant.ward_id == ward_id, RoleGrant.role.in_(OFFICIALS))
        .order_by(RoleGrant.id)
    )
    out = list(dict.fromkeys([*ids, *admin_ids]))
    return [i for i in out if i != exclude]


async def pending_notice(session: AsyncSession, notice_id: int) -> Notice:
    notice = await session.get(Notice, notice_id, populate_existing=True)
    if notice is None:
        raise NotFound("notice.not_found", id=notice_id)
    return notice


def proposer(notice: Notice) -> int | None:
    """Who asks for this round's approval: the correction's author, else the notice's."""
    return notice.pending_by if notice.pending_text is not None else notice.created_by


def lost(notice: Notice) -> Invalid:
    """What to tell someone whose press came too late: who decided, and what."""
    name, nid = notice.decided_name or "?", notice.id
    if notice.status is NoticeStatus.REJECTED:
        return Invalid("review.lost_rejected", id=nid, name=name)
    if notice.status is NoticeStatus.CANCELLED:
        if notice.queued_at is None:  # withdrawn before it was ever sent
            return Invalid("review.lost_withdrawn", id=nid, name=name)
        return Invalid("review.lost_cancelled", id=nid, name=name)
    if notice.status is NoticeStatus.PENDING_APPROVAL or notice.pending_text is not None:
        return Invalid("review.stale_card", id=nid)
    return Invalid("review.lost_approved", id=nid, name=name)


def check_reviewer(notice: Notice, principal: Principal, round_: int | None = None) -> None:
    """An official of the ward now, not the one asking, and the card still current."""
    if not is_official(principal, notice.ward_id):
        raise Forbidden("error.forbidden")
    if proposer(notice) == principal.telegram_id:
        raise Forbidden("review.own_notice")
    waiting_ = notice.status is NoticeStatus.PENDING_APPROVAL or (
        notice.status in LIVE and notice.pending_text is not None
    )
    if not waiting_ or (round_ is not None and round_ != notice.review_round):
        raise lost(notice)


async def _decide(
    session: AsyncSession, notice: Notice, round_: int, values: dict[str, Any]
) -> None:
    """One conditional UPDATE: the notice still waits in this round, or the caller lost."""
    notice_id = notice.id  # a rollback expires the object: keep what the loser's answer needs
    stmt = update(Notice).where(Notice.id == notice_id, Notice.review_round == round_)
    if notice.pending_text is not None:
        stmt = stmt.where(Notice.status.in_(LIVE), Notice.pending_text.is_not(None))
    else:
        stmt = stmt.where(Notice.status == NoticeStatus.PENDING_APPROVAL)
    result = await session.execute(stmt.values(**values).execution_options(
        synchronize_session=False))  # fmt: skip
    if rowcount(result) != 1:
        await session.rollback()
        raise lost(await pending_notice(session, notice_id))


async def approve(
    session: AsyncSession,
    notice_id: int,
    principal: Principal,
    settings: Settings,
    now: datetime | None = None,
    *,
    round_: int | None = None,
    name: str = "",
) -> Submitted:
    """A second official approves: the notice is queued (quiet hours still apply), or the
    correction waiting for approval goes to every copy; commits."""
    now = now or utcnow()
    notice = await pending_notice(session, notice_id)
    check_reviewer(notice, principal, round_)
    round_, text, fixer = notice.review_round, notice.pending_text, notice.pending_by
    decided = {"decided_at": now, "decided_name": name}
    if text is not None:  # the notice is out: its copies are edited to the approved text
        await _decide(session, notice, round_,
                      {**decided, "pending_text": None, "pending_by": None,
                       "pending_name": None})  # fmt: skip
        audit.record(session, "notice.correction_approved", actor_id=principal.telegram_id,
                     target=f"notice:{notice_id}", round=round_, author=fixer)  # fmt: skip
        await outbox.correct(session, notice_id, text, fixer)
        notice = await pending_notice(session, notice_id)
        return Submitted(notice, False, corrected=True, proposer=fixer)
    if notice.event_at is not None and notice.event_at <= now:
        raise Invalid("review.event_passed")
    values = {**decided, "approved_by": principal.telegram_id, "status": NoticeStatus.QUEUED}
    await _decide(session, notice, round_, values)
    notice = await pending_notice(session, notice_id)
    audit.record(session, "notice.approved", actor_id=principal.telegram_id,
                 target=f"notice:{notice.id}", round=round_)  # fmt: skip
    return await queue(session, notice, settings, notice.created_by or principal.telegram_id, now)


@dataclass(frozen=True)
class Rejected:
    notice: Notice
    tell: int | None  # who asked for it: the author, or the correction's author
    correction: bool


async def reject(
    session: AsyncSession,
    notice_id: int,
    principal: Principal,
    reason: str,
    *,
    round_: int | None = None,
    name: str = "",
) -> Rejected:
    """Reject a notice (or the correction waiting for approval) with a reason; commits."""
    reason = (reason or "").strip()[:500]
    if not reason:
        raise Invalid("review.reason_empty")
    notice = await pending_notice(session, notice_id)
    check_reviewer(notice, principal, round_)
    fix, tell = notice.pending_text is not None, proposer(notice)
    values: dict[str, Any] = {"decided_at": utcnow(), "decided_name": name,
                              "reject_reason": reason}  # fmt: skip
    if fix:  # the notice stands as it was; only the proposed text goes
        values |= {"pending_text": None, "pending_by": None, "pending_name": None}
    else:
        values |= {"status": NoticeStatus.REJECTED, "approved_by": principal.telegram_id}
    await _decide(session, notice, notice.review_round, values)
    action = "notice.correction_rejected" if fix else "notice.rejected"
    audit.record(session, action, actor_id=principal.telegram_id,
                 target=f"notice:{notice.id}", reason=reason)  # fmt: skip
    await session.commit()
    return Rejected(await pending_notice(session, notice_id), tell, fix)


async def waiting(session: AsyncSession, ward_ids: set[int] | None) -> list[Notice]:
    """Notices and corrections waiting for a second official."""
    stmt = select(Notice).where(
        (Notice.status == NoticeStatus.PENDING_APPROVAL)
        | (Notice.status.in_(LIVE) & Notice.pending_text.is_not(None))
    )
    if ward_ids is not None:
        stmt = stmt.where(Notice.ward_id.in_(ward_ids))
    return list(await session.scalars(stmt.order_by(Notice.id)))


async def remember_cards(session: AsyncSession, notice_id: int, cards: list[list[int]]) -> None:
    notice = await pending_notice(session, notice_id)
    notice.review_messages = [*notice.review_messages, *cards]
    await session.commit()
