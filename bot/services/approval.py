"""Approval of announcements: a second official (never the author) approves or rejects.

Ward-wide and emergency notices wait as pending_approval until then (see
announcements.needs_approval); an approved one is queued like any other.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services import audit
from bot.services.announcements import OFFICIALS, Submitted, is_official, queue
from bot.services.errors import Forbidden, Invalid, NotFound
from bot.services.roles import Principal
from models import Notice, NoticeStatus, RoleGrant, utcnow


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


def check_reviewer(notice: Notice, principal: Principal) -> None:
    if not is_official(principal, notice.ward_id):
        raise Forbidden("error.forbidden")
    if notice.created_by == principal.telegram_id:
        raise Forbidden("review.own_notice")
    if notice.status is not NoticeStatus.PENDING_APPROVAL:
        raise Invalid("review.already_decided")


async def approve(
    session: AsyncSession,
    notice_id: int,
    principal: Principal,
    settings: Settings,
    now: datetime | None = None,
) -> Submitted:
    """A second official approves: the notice is queued (quiet hours still apply); commits."""
    now = now or utcnow()
    notice = await pending_notice(session, notice_id)
    check_reviewer(notice, principal)
    if notice.event_at is not None and notice.event_at <= now:
        raise Invalid("review.event_passed")
    notice.approved_by, notice.decided_at = principal.telegram_id, now
    audit.record(session, "notice.approved", actor_id=principal.telegram_id,
                 target=f"notice:{notice.id}")  # fmt: skip
    return await queue(session, notice, settings, notice.created_by or principal.telegram_id, now)


async def reject(
    session: AsyncSession, notice_id: int, principal: Principal, reason: str
) -> Notice:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("review.reason_empty")
    notice = await pending_notice(session, notice_id)
    check_reviewer(notice, principal)
    notice.status, notice.reject_reason = NoticeStatus.REJECTED, reason[:500]
    notice.approved_by, notice.decided_at = principal.telegram_id, utcnow()
    audit.record(session, "notice.rejected", actor_id=principal.telegram_id,
                 target=f"notice:{notice.id}", reason=reason[:500])  # fmt: skip
    await session.commit()
    return notice


async def waiting(session: AsyncSession, ward_ids: set[int] | None) -> list[Notice]:
    stmt = select(Notice).where(Notice.status == NoticeStatus.PENDING_APPROVAL)
    if ward_ids is not None:
        stmt = stmt.where(Notice.ward_id.in_(ward_ids))
    return list(await session.scalars(stmt.order_by(Notice.id)))


async def remember_cards(session: AsyncSession, notice_id: int, cards: list[list[int]]) -> None:
    notice = await pending_notice(session, notice_id)
    notice.review_messages = [*notice.review_messages, *cards]
    await session.commit()
