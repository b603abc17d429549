""" "Tôi sẽ tham gia" under an event notice: one Attendance per person, counted per group."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.common.errors import Invalid
from bot.services.notices import reach
from models import Attendance, Household, Resident, ResidentialGroup


@dataclass(frozen=True)
class GroupAttendance:
    group_id: int | None  # None: people not registered with Loa (or without a group)
    group: str | None
    count: int


@dataclass
class AttendanceCount:
    total: int = 0
    groups: list[GroupAttendance] = field(default_factory=list)


async def attend(session: AsyncSession, notice_id: int, telegram_id: int, chat_id: int) -> bool:
    """Record that this person will attend; False when they had already said so; commits.

    Anyone who got the notice may answer (people not registered with Loa count too, without
    a household, when pressed in a chat it was delivered to), since the organisers need a
    head count, not a list of households. A registered person counts only from their own
    chats, and only while the notice is live (see reach).
    """
    notice = await reach.live_notice(session, notice_id)
    if notice.event_at is None:
        raise Invalid("attend.not_event")
    resident = await session.scalar(
        select(Resident).where(
            Resident.telegram_id == telegram_id, Resident.consent_at.is_not(None)
        )
    )
    chats = await reach.own_chats(session, resident, telegram_id)
    if resident is None:  # not registered: the chat they pressed in must have received it
        chats.add(chat_id)
    await reach.check_delivered(session, notice_id, chat_id, chats)
    exists = await session.scalar(
        select(Attendance.id).where(
            Attendance.notice_id == notice_id, Attendance.telegram_id == telegram_id
        )
    )
    if exists is not None:
        return False
    household_id = resident.household_id if resident is not None else None
    session.add(
        Attendance(notice_id=notice_id, telegram_id=telegram_id, household_id=household_id)
    )
    try:
        await session.commit()
    except IntegrityError:  # a double tap raced itself
        await session.rollback()
        return False
    return True


async def count(session: AsyncSession, notice_id: int) -> AttendanceCount:
    """How many people will attend, in total and per residential group."""
    rows = await session.execute(
        select(ResidentialGroup.id, ResidentialGroup.name, func.count(Attendance.id))
        .select_from(Attendance)
        .outerjoin(Household, Household.id == Attendance.household_id)
        .outerjoin(ResidentialGroup, ResidentialGroup.id == Household.group_id)
        .where(Attendance.notice_id == notice_id)
        .group_by(ResidentialGroup.id, ResidentialGroup.name, ResidentialGroup.sort_key)
        .order_by(ResidentialGroup.sort_key, ResidentialGroup.name)
    )
    out = AttendanceCount()
    for group_id, name, n in rows.tuples():
        out.groups.append(GroupAttendance(group_id, name, n))
        out.total += n
    return out
