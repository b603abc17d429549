"""Who got the notice: acknowledgements by household, and coverage per residential group."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import reach
from bot.services.errors import NotFound
from models import (
    Acknowledgement,
    Delivery,
    Household,
    Notice,
    Resident,
    ResidentialGroup,
    TargetKind,
)


@dataclass(frozen=True)
class AckResult:
    new: bool  # False: someone of this household had already pressed
    address: str


@dataclass
class GroupCoverage:
    group_id: int
    group: str
    acknowledged: int
    registered: int
    missing: list[str] = field(default_factory=list)  # addresses that have not acknowledged
    missing_ids: list[int] = field(default_factory=list)  # their household ids, same order


async def acknowledge(
    session: AsyncSession, notice_id: int, telegram_id: int, chat_id: int
) -> AckResult:
    """Count a press for the presser's household (one per household); commits. Only for a
    live notice delivered to the presser's own chat (see reach)."""
    await reach.live_notice(session, notice_id)
    resident = await session.scalar(select(Resident).where(Resident.telegram_id == telegram_id))
    if resident is None or resident.household_id is None or resident.consent_at is None:
        raise NotFound("ack.not_registered")
    chats = await reach.own_chats(session, resident, telegram_id)
    await reach.check_delivered(session, notice_id, chat_id, chats)
    household = await session.get(Household, resident.household_id)
    assert household is not None
    exists = await session.scalar(
        select(Acknowledgement.id).where(
            Acknowledgement.notice_id == notice_id, Acknowledgement.household_id == household.id
        )
    )
    if exists is not None:
        return AckResult(False, household.address)
    session.add(
        Acknowledgement(
            notice_id=notice_id,
            household_id=household.id,
            telegram_id=telegram_id,
            chat_id=chat_id,
        )
    )
    try:
        await session.commit()
    except IntegrityError:  # two members of one household pressed at the same moment
        await session.rollback()
        return AckResult(False, household.address)
    return AckResult(True, household.address)


async def coverage(
    session: AsyncSession, notice_id: int, group_ids: set[int] | None = None
) -> list[GroupCoverage]:
    """Per targeted group: acknowledged / registered households, and who has not yet."""
    if await session.get(Notice, notice_id) is None:
        raise NotFound("notice.not_found", id=notice_id)
    targeted = set(
        await session.scalars(
            select(Delivery.group_id).where(
                Delivery.notice_id == notice_id, Delivery.target == TargetKind.GROUP
            )
        )
    )
    targeted.discard(None)
    if group_ids is not None:
        targeted &= group_ids
    acked = set(
        await session.scalars(
            select(Acknowledgement.household_id).where(Acknowledgement.notice_id == notice_id)
        )
    )
    registered = (
        select(Household.id, Household.group_id, Household.house_number, Household.street)
        .join(Resident, Resident.household_id == Household.id)
        .where(Household.group_id.in_(targeted), Resident.consent_at.is_not(None))
        .group_by(Household.id)
        .order_by(Household.street, Household.house_number)
    )
    groups = {
        g.id: g
        for g in await session.scalars(
            select(ResidentialGroup).where(ResidentialGroup.id.in_(targeted))
        )
    }
    out = {gid: GroupCoverage(gid, groups[gid].name, 0, 0) for gid in targeted}
    for hid, gid, number, street in (await session.execute(registered)).tuples():
        row = out[gid]
        row.registered += 1
        if hid in acked:
            row.acknowledged += 1
        else:
            row.missing.append(f"{number} {street}")
            row.missing_ids.append(hid)
    return sorted(out.values(), key=lambda r: (groups[r.group_id].sort_key, r.group))


async def count_acks(session: AsyncSession, notice_id: int) -> int:
    return (
        await session.scalar(
            select(func.count())
            .select_from(Acknowledgement)
            .where(Acknowledgement.notice_id == notice_id)
        )
        or 0
    )
