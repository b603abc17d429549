"""Helpers for consultation tests: a ward with a leader, the form, the residents, the rows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory.roles import grant_role
from models import ConsultTally, ConsultVote, Household, ResidentialGroup, Role
from sandbox import Sandbox
from tests.delivery_kit import Person, people, ward
from tests.harness import LEADER_ID, OFFICIAL_ID

FORM = "/consult\nHỏi: Mỗi hộ góp 200.000 đồng để lát ngõ 12?\n- Đồng ý\n- Không đồng ý\n"


async def setup(session: AsyncSession, groups: int = 2, households: int = 8) -> dict[str, Any]:
    """A ward, an official, the leader of the first group; residents by group."""
    ward_id = await ward(session, groups=groups, households=households)
    await grant_role(session, OFFICIAL_ID, Role.WARD_OFFICIAL)
    first, *others = list(
        await session.scalars(select(ResidentialGroup).order_by(ResidentialGroup.sort_key))
    )
    await grant_role(session, LEADER_ID, Role.GROUP_LEADER, group_name=first.name)
    everyone = await people(session)
    return {
        "ward_id": ward_id,
        "group": first,
        "others": others,
        "mine": [p for p in everyone if p.group_id == first.id],
        "theirs": [p for p in everyone if p.group_id != first.id],
    }


def consult_message(sandbox: Sandbox, chat_id: int) -> dict[str, Any]:
    """The last message with option buttons ("cv:…") the bot sent to this chat."""
    for c in reversed(sandbox.calls):
        r = c.result if isinstance(c.result, dict) else None
        rows = ((r or {}).get("reply_markup") or {}).get("inline_keyboard") or []
        if c.ok and r and r["chat"]["id"] == chat_id and rows:
            if rows[0][0]["callback_data"].startswith("cv:"):
                return r
    raise AssertionError(f"no consultation sent to {chat_id}")


async def raw_counts(session: AsyncSession, consult_id: int) -> dict[int, int]:
    rows = await session.execute(
        select(ConsultVote.option, func.count())
        .where(ConsultVote.consultation_id == consult_id)
        .group_by(ConsultVote.option)
    )
    return {o: n for o, n in rows.tuples()}  # type: ignore[misc]  # rows of (int, int)


async def tallies(session: AsyncSession, consult_id: int) -> dict[int, int]:
    rows = await session.execute(
        select(ConsultTally.option, ConsultTally.count)
        .where(ConsultTally.consultation_id == consult_id)
        .execution_options(populate_existing=True)
    )
    return {o: n for o, n in rows.tuples() if n}


async def vote_rows(session: AsyncSession, consult_id: int) -> list[ConsultVote]:
    stmt = select(ConsultVote).where(ConsultVote.consultation_id == consult_id)
    return list(await session.scalars(stmt.execution_options(populate_existing=True)))


async def household_without_telegram(session: AsyncSession, group_id: int) -> Household:
    house = Household(ward_id=0, group_id=group_id, house_number="99", street="Ngõ Giấy")
    group = await session.get(ResidentialGroup, group_id)
    assert group is not None
    house.ward_id = group.ward_id
    session.add(house)
    await session.commit()
    return house


__all__ = ["Person"]
