"""Many households answer a check-in at once, some members twice at the same moment: one row
per household, counts exact; two takers of one need at once: exactly one wins."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.common.errors import Invalid
from bot.services.directory import erasure
from bot.services.directory.roles import Principal, grant_role, load_principal
from bot.services.engagement import checkin_board, checkins
from models import Checkin, CheckinAnswer, Resident, Role, utcnow
from tests.engagement.kit import setup
from tests.engagement.test_checkins import TECH_ID
from tests.harness import OFFICIAL_ID, BotHarness, texts


async def test_many_households_answer_at_once(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    w = await setup(session, groups=2, households=60)
    mine = w["mine"]
    await grant_role(session, TECH_ID, Role.TECH_TEAM, ward_id=w["ward_id"])
    said = texts(await harness.send(OFFICIAL_ID, f"/checkin {w['group'].name}\nMưa lũ"))
    assert said[0].startswith("✅")
    cid = (await session.scalars(select(Checkin.id))).one()
    for p in mine[::2]:  # a second member in every other household
        session.add(Resident(telegram_id=p.telegram_id + 900_000, display_name="Con",
                             household_id=p.household_id, consent_at=utcnow()))  # fmt: skip
    await session.commit()

    async def press(telegram_id: int, index: int) -> str:
        async with session_factory() as s:
            return (await checkins.answer(s, cid, index, telegram_id)).outcome

    first = [press(p.telegram_id, i % 3) for i, p in enumerate(mine)]
    twins = [press(p.telegram_id + 900_000, 1) for p in mine[::2]]
    await asyncio.gather(*first, *twins)
    total = await session.scalar(
        select(func.count()).select_from(CheckinAnswer).where(CheckinAnswer.checkin_id == cid)
    )
    assert total == len(mine)
    official = await load_principal(session, OFFICIAL_ID, [])
    _c, boards, needs = await checkin_board.board(session, cid, official)
    mine_board = boards[0]
    assert mine_board.answered == len(mine) == mine_board.households
    assert sum(mine_board.counts.values()) == len(mine)
    assert mine_board.counts["can_ho_tro"] == len(needs) > 0

    # Everyone answers "safe" at once: the counts follow exactly.
    await asyncio.gather(*(press(p.telegram_id, 0) for p in mine))
    _c, boards, needs = await checkin_board.board(session, cid, official)
    assert boards[0].counts == {"an_toan": len(mine), "can_ho_tro": 0, "khong_co_nha": 0}
    assert needs == []

    # Two takers of one need at the same moment: one wins, the other is told.
    await press(mine[0].telegram_id, 1)
    need_id = (await checkin_board.board(session, cid, official))[2][0].answer_id
    tech = await load_principal(session, TECH_ID, [])

    async def take(who: Principal) -> str:
        async with session_factory() as s:
            try:
                await checkin_board.take(s, need_id, who)
            except Invalid:
                return "lost"
            return "won"

    results = await asyncio.gather(take(official), take(tech))
    assert sorted(results) == ["lost", "won"]


async def test_forget_keeps_the_answer_without_who_or_where(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    w = await setup(session, groups=1, households=4)
    said = texts(await harness.send(OFFICIAL_ID, "/checkin\nMưa lũ"))
    assert said[0].startswith("✅")
    cid = (await session.scalars(select(Checkin.id))).one()
    person = w["mine"][0]
    await checkins.answer(session, cid, 1, person.telegram_id)
    await checkins.set_place(session, cid, person.telegram_id, "22.1,105.8")
    assert await erasure.forget(session, person.telegram_id, settings.privacy_key)
    row = (
        await session.scalars(select(CheckinAnswer).execution_options(populate_existing=True))
    ).one()
    assert (row.status, row.answered_by, row.place) == ("can_ho_tro", 0, None)
