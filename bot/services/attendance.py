""" "Tôi sẽ tham gia" under an event notice: one Attendance per person, counted per group."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.acks import refuse_preview
from bot.services.errors import Invalid, NotFound
from models import Attendance, Household, Notice, Resident, ResidentialGroup


@dataclass(frozen=True)
class GroupAttendance:
    group_id: int | None  # None: people not registered with Loa (or without a group)
    group: str | None
    count: int


@dataclass
class AttendanceCount:
    total: int = 0
    groups: list[GroupAttendance] = field(default_factory=list)


async def attend(session: AsyncSession, notice_id: int, telegram_id: int) -> bool:
    """Record that this person will attend; False when they had already said so; commits.

    Anyone who sees the notice may answer (people not registered with Loa count too, without
    a household), since the organisers need a head count, not a list of households.
    """
    refuse_preview(notice_id)
    notice = await session.get(Notice, notice_id)
    if notice is None:
        raise NotFound("notice.not_found", id=notice_id)
    if notice.event_at is None:
        raise Invalid("attend.not_event")
    exists = await session.scalar(
        select(Attendance.id).where(
            Attendance.notice_id == notice_id, Attendance.telegram_id == telegram_id
        )
    )
    if exists is not None:
        return False
    household_id = await session.scalar(
        select(Resident.household_id).where(
            Resident.telegram_id == telegram_id, Resident.consent_at.is_not(None)
        )
    )
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
