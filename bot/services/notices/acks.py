"""Who got the notice: acknowledgements by household, and coverage per residential group."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.common.errors import NotFound
from bot.services.notices import reach
from bot.services.notices.presses import PressWriter
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


def ack_writer(factory: async_sessionmaker[AsyncSession]) -> PressWriter:
    """The batch writer `acknowledge` writes through (one per process)."""
    return PressWriter(factory, Acknowledgement, ("notice_id", "household_id"))


async def acknowledge(
    session: AsyncSession,
    writer: PressWriter,
    notice_id: int,
    resident: Resident | None,
    telegram_id: int,
    chat_id: int,
) -> AckResult:
    """Count a press by `resident` (the presser, loaded for this update; None: not registered)
    for their household (one per household), only for a live notice delivered to the presser's
    own chat (see reach); committed in a batch with the presses that arrive at the same time."""
    target = await reach.ack_target(session, notice_id, resident, chat_id)
    # End the read transaction: its connection goes back to the pool instead of being held
    # while this press waits for the batch (which needs a connection of its own).
    await session.commit()
    new = await writer.add(
        {"notice_id": notice_id, "household_id": target.household_id,
         "telegram_id": telegram_id, "chat_id": chat_id}
    )  # fmt: skip
    return AckResult(new, target.address)


async def coverage(
    session: AsyncSession, notice_id: int, group_ids: set[int] | None = None
) -> list[GroupCoverage]:
    """Per targeted group: acknowledged / registered households, and who has not yet."""
    if await session.get(Notice, notice_id) is None:
        raise NotFound("notice.not_found", id=notice_id)
    targeted = {
        gid
        for gid in await session.scalars(
            select(Delivery.group_id).where(
                Delivery.notice_id == notice_id, Delivery.target == TargetKind.GROUP
            )
        )
        if gid is not None
    }
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
