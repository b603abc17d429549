"""Following a safety check-in: the households that have not answered (leaders), the board by
group and the households needing help (officials), and taking and closing a need.

Taking is a conditional UPDATE (… WHERE taken_by IS NULL): of two takers at once, exactly one
row changes; the other is told who holds it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.common import audit
from bot.services.common.errors import Forbidden, Invalid, NotFound
from bot.services.directory.roles import Principal
from bot.services.engagement.checkins import HELP, STATUSES, get, official, visible_groups
from models import (
    Checkin,
    CheckinAnswer,
    Household,
    Resident,
    ResidentialGroup,
    Role,
    rowcount,
    utcnow,
)


@dataclass
class GroupBoard:
    name: str
    households: int = 0
    answered: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))


@dataclass(frozen=True)
class Need:
    answer_id: int
    group: str
    address: str
    need: str | None
    place: str | None
    taken_by: int | None
    closed: bool


async def _groups_named(session: AsyncSession, ids: list[int]) -> dict[int, str]:
    rows = await session.execute(
        select(ResidentialGroup.id, ResidentialGroup.name)
        .where(ResidentialGroup.id.in_(ids))
        .order_by(ResidentialGroup.sort_key)
    )
    return dict(rows.tuples().all())


async def missing(
    session: AsyncSession, checkin_id: int, principal: Principal | None
) -> list[tuple[str, str]]:
    """(group, address) of the households that have not answered, in the person's groups."""
    checkin = await get(session, checkin_id)
    groups = await visible_groups(session, checkin, principal)
    names = await _groups_named(session, groups)
    answered = select(CheckinAnswer.household_id).where(CheckinAnswer.checkin_id == checkin_id)
    houses = await session.scalars(
        select(Household)
        .where(Household.group_id.in_(groups), Household.id.not_in(answered))
        .order_by(Household.group_id, Household.street, Household.house_number)
    )
    return [(names.get(h.group_id, ""), h.address) for h in houses]


async def board(
    session: AsyncSession, checkin_id: int, principal: Principal | None
) -> tuple[Checkin, list[GroupBoard], list[Need]]:
    """Officials: counts per group and the households that need help (open needs first)."""
    checkin = await get(session, checkin_id)
    if not official(principal, checkin.ward_id):
        raise Forbidden("checkin.officials_only")
    names = await _groups_named(session, checkin.group_ids)
    boards = {gid: GroupBoard(name) for gid, name in names.items()}
    for gid in await session.scalars(
        select(Household.group_id).where(Household.group_id.in_(checkin.group_ids))
    ):
        boards[gid].households += 1
    rows = await session.execute(
        select(CheckinAnswer, Household)
        .join(Household, Household.id == CheckinAnswer.household_id)
        .where(CheckinAnswer.checkin_id == checkin_id)
        .order_by(CheckinAnswer.id)
        .execution_options(populate_existing=True)
    )
    needs = []
    for a, h in rows.tuples():
        if (b := boards.get(h.group_id)) is None:
            continue
        b.answered += 1
        b.counts[a.status] += 1
        if a.status == HELP:
            needs.append(Need(a.id, b.name, h.address, a.need, a.place, a.taken_by,
                              a.closed_at is not None))  # fmt: skip
    needs.sort(key=lambda n: (n.closed, n.taken_by is not None, n.answer_id))
    return checkin, list(boards.values()), needs


def may_respond(principal: Principal | None, ward_id: int) -> bool:
    """The ward's officials and the ward's own tech team take and close needs."""
    return official(principal, ward_id) or (
        principal is not None and principal.has(Role.TECH_TEAM, ward_id=ward_id)
    )


async def _need_row(
    session: AsyncSession, answer_id: int, principal: Principal | None
) -> tuple[CheckinAnswer, Checkin]:
    row = await session.get(CheckinAnswer, answer_id, populate_existing=True)
    if row is None or row.status != HELP:
        raise NotFound("checkin.no_need", id=answer_id)
    checkin = await get(session, row.checkin_id)
    if not may_respond(principal, checkin.ward_id):
        raise Forbidden("checkin.officials_only")
    return row, checkin


async def take(session: AsyncSession, answer_id: int, principal: Principal) -> None:
    """Take a household's need: of two takers at once, one wins; the other is told who."""
    await _need_row(session, answer_id, principal)
    done = await session.execute(
        update(CheckinAnswer)
        .where(
            CheckinAnswer.id == answer_id,
            CheckinAnswer.status == HELP,
            CheckinAnswer.taken_by.is_(None),
            CheckinAnswer.closed_at.is_(None),
        )
        .values(taken_by=principal.telegram_id, taken_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if rowcount(done) != 1:
        await session.rollback()
        holder = await session.scalar(
            select(CheckinAnswer.taken_by).where(CheckinAnswer.id == answer_id)
        )
        raise Invalid("checkin.taken_already", who=await _who(session, holder))
    audit.record(session, "checkin.need_taken", actor_id=principal.telegram_id,
                 target=f"checkin_answer:{answer_id}")  # fmt: skip
    await session.commit()


async def close(session: AsyncSession, answer_id: int, principal: Principal) -> None:
    """Close a need: whoever took it, or an official of the ward."""
    row, checkin = await _need_row(session, answer_id, principal)
    if row.taken_by != principal.telegram_id and not official(principal, checkin.ward_id):
        raise Forbidden("checkin.not_taker")
    done = await session.execute(
        update(CheckinAnswer)
        .where(CheckinAnswer.id == answer_id, CheckinAnswer.closed_at.is_(None))
        .values(closed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if rowcount(done) != 1:
        await session.rollback()
        raise Invalid("checkin.closed_already")
    audit.record(session, "checkin.need_closed", actor_id=principal.telegram_id,
                 target=f"checkin_answer:{answer_id}")  # fmt: skip
    await session.commit()


async def _who(session: AsyncSession, telegram_id: int | None) -> str:
    """The name the holder registered with Loa, else their Telegram id."""
    if telegram_id is None:
        return "?"
    name = await session.scalar(
        select(Resident.display_name).where(Resident.telegram_id == telegram_id)
    )
    return name or f"ID {telegram_id}"
