"""Lookups through the real dispatcher and the web pages: each guide shown or searched ends as
one row with the right ward and source once the buffer is written, and none names a person."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.directory.seed import seed_sample
from bot.services.procedures.guides import Guide
from bot.services.procedures.lookups import BATCH, LookupLog
from bot.web.app import create_web_app
from bot.web.guides import LOOKUP_LOG
from models import Household, Lookup, Resident, ResidentialGroup, utcnow
from tests.harness import GROUP_CHAT, RESIDENT_ID, BotHarness, last_message

STRANGER = 200_000_777


async def _rows(session: AsyncSession) -> list[tuple[str, str | None, int | None]]:
    session.expire_all()
    rows = await session.execute(
        select(Lookup.source, Lookup.code, Lookup.ward_id).order_by(Lookup.id)
    )
    return [(s, c, w) for s, c, w in rows.tuples()]


async def _ward_with_resident(session: AsyncSession) -> int:
    """The sample ward; RESIDENT_ID registered in one of its households, its first group's
    chat bound to GROUP_CHAT."""
    await seed_sample(session)
    household = (await session.scalars(select(Household).order_by(Household.id))).first()
    assert household is not None
    session.add(Resident(telegram_id=RESIDENT_ID, display_name="Bà Lan",
                         household_id=household.id, consent_at=utcnow()))  # fmt: skip
    group = await session.get(ResidentialGroup, household.group_id)
    assert group is not None
    group.chat_id = GROUP_CHAT
    await session.commit()
    return household.ward_id


async def test_lookups_count_per_ward_and_source(
    harness: BotHarness, session: AsyncSession, catalog: list[Guide]
) -> None:
    ward = await _ward_with_resident(session)
    log: LookupLog = harness.dp["lookup_log"]
    log.interval = 3600  # this test writes the buffer itself
    last_message(await harness.send(RESIDENT_ID, "lam giay khai sinh cho con"))  # a card
    await harness.send(STRANGER, "giá vàng hôm nay")  # no answer: no code
    await harness.send(STRANGER, "xin chào")  # not a search: nothing
    await harness.send(STRANGER, "/thutuc đăng ký kết hôn", chat_id=GROUP_CHAT, chat_type="group")
    await harness.feed(harness.sandbox.make_inline_query(RESIDENT_ID, "khai sinh"))
    await harness.feed(harness.sandbox.make_inline_query(STRANGER, "khai sinh"))
    await harness.feed(harness.sandbox.make_inline_query(STRANGER, ""))  # browsing: nothing
    await harness.send(STRANGER, "/start p-1_001193-ubnd")
    listing = last_message(await harness.send(RESIDENT_ID, "khai sinh"))
    card = last_message(await harness.press_button(RESIDENT_ID, listing, "đăng ký khai sinh"))
    await harness.press_button(RESIDENT_ID, card, "Quá 60 ngày")  # another case: not again
    assert await _rows(session) == []  # nothing written on the lookup path itself

    await log.flush()
    rows = await _rows(session)
    assert rows[:6] == [
        ("search", "1.001193", ward),
        ("search", None, None),
        ("search", "1.000894", ward),  # a stranger in the ward's group chat
        ("inline", "1.001193", ward),
        ("inline", "1.001193", None),
        ("qr", "1.001193", None),
    ]
    assert rows[6][0::2] == ("search", ward) and rows[7] == ("card", "1.001193", ward)
    assert len(rows) == 8


async def test_the_buffer_writes_itself_when_full_and_at_shutdown(
    session_factory: async_sessionmaker[AsyncSession], session: AsyncSession
) -> None:
    log = LookupLog(session_factory, interval=3600)  # only a full buffer or close() writes
    for _ in range(BATCH - 1):
        log.note("web", "1.001193", None)
    assert await _rows(session) == []
    log.note("web", None, None)
    assert log._task is not None
    await log._task  # the full buffer is written at once, in one statement
    assert len(await _rows(session)) == BATCH
    log.note("card", "1.001193", None)
    await log.close()
    assert len(await _rows(session)) == BATCH + 1


async def test_web_pages_count_lookups_without_a_ward(
    settings: Settings, engine: AsyncEngine, session: AsyncSession, catalog: list[Guide]
) -> None:
    app = create_web_app(settings, engine)
    async with TestClient(TestServer(app)) as client:
        assert (await client.get("/p/1.001193")).status == 200
        assert (await client.get("/p?q=khai+sinh")).status == 200
        assert (await client.get("/p?q=gi%C3%A1+v%C3%A0ng")).status == 200
        assert (await client.get("/p")).status == 200  # the list: no lookup
        await app[LOOKUP_LOG].flush()
        rows = await _rows(session)
    assert rows[0] == ("web", "1.001193", None) and rows[2] == ("web", None, None)
    assert len(rows) == 3 and rows[1][0::2] == ("web", None)
