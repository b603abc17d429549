"""Street reports under attack and in public: forged buttons, residents pressing the team's
buttons, resolving without a photo, two presses at once; the public page shows no identity."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.common.errors import Invalid
from bot.services.directory.role_holders import RoleHolders
from bot.services.engagement import reports
from bot.web.app import create_web_app
from models import StreetReport, StreetReportEvent
from tests.engagement.report_kit import card, report, row
from tests.harness import RESIDENT_ID, BotHarness, texts
from tests.triage.triage_world import STAFF_CHAT, TECH_A, TECH_B, make_world

Client = TestClient[web.Request, web.Application]


@pytest.fixture
async def client(settings: Settings, engine: AsyncEngine) -> AsyncIterator[Client]:
    async with TestClient(TestServer(create_web_app(settings, engine))) as c:
        yield c


async def test_forged_and_foreign_presses_are_refused(
    harness: BotHarness, session: AsyncSession
) -> None:
    await make_world(harness, session)
    number = await report(harness)
    message = card(harness, number)
    # A resident who got hold of the card's buttons (or forged their data) may not press them.
    for data in (f"rs:{number}:1", f"rs:{number}:4"):
        refused = texts(await harness.press(RESIDENT_ID, message, data))
        assert "Chỉ tổ công nghệ số" in refused[0], refused
    # Forged data: backwards, to the same status, an unknown report, a status that is no status.
    assert "Không thể chuyển" in texts(await harness.press(TECH_A, message, f"rs:{number}:0"))[0]
    assert "Không tìm thấy" in texts(await harness.press(TECH_A, message, "rs:999:1"))[0]
    assert "không còn" in texts(await harness.press(TECH_A, message, f"rs:{number}:9"))[0]
    assert "không còn" in texts(await harness.press(RESIDENT_ID, message, "rc:99"))[0]
    # A resident's photo in reply to the card resolves nothing.
    refused = texts(
        await harness.send(
            RESIDENT_ID, None, chat_id=STAFF_CHAT, reply_to=message["message_id"], photo=True
        )
    )
    assert "Chỉ tổ công nghệ số" in refused[0], refused
    assert (await row(session, number)).status == "received"
    assert await session.scalar(select(func.count(StreetReportEvent.id))) == 1


async def test_resolving_needs_a_photo_and_closed_is_final(
    harness: BotHarness, session: AsyncSession
) -> None:
    await make_world(harness, session)
    number = await report(harness, typed="Ngõ 7 Trần Phú")
    message = card(harness, number)
    refused = texts(await harness.press(TECH_A, message, f"rs:{number}:3"))
    assert "ảnh chụp kết quả" in refused[-1]
    await harness.press_button(TECH_A, message, "Đóng")
    assert (await row(session, number)).status == "closed"
    late = texts(
        await harness.send(
            TECH_A, None, chat_id=STAFF_CHAT, reply_to=message["message_id"], photo=True
        )
    )
    assert "Không thể chuyển" in late[-1]
    assert (await row(session, number)).status == "closed"


async def test_two_presses_at_once_make_one_change(
    harness: BotHarness, session: AsyncSession, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await make_world(harness, session)
    number = await report(harness)
    holders = RoleHolders(admin_ids=())

    async def press(user: int) -> str:
        async with session_factory() as s:
            principal = await holders.principal(s, user)
            try:
                await reports.change_status(s, number, principal, "acknowledged", "ok")
            except Invalid as err:
                return err.key
            return "won"

    results = await asyncio.gather(press(TECH_A), press(TECH_B))
    assert sorted(results) in (
        ["report.bad_status", "won"],
        ["report.changed_meanwhile", "won"],
    )
    changes = await session.scalar(
        select(func.count(StreetReportEvent.id)).where(
            StreetReportEvent.to_status == "acknowledged"
        )
    )
    assert changes == 1


async def test_public_page_lists_reports_without_identity(
    harness: BotHarness, session: AsyncSession, client: Client
) -> None:
    await make_world(harness, session)
    first = await report(harness, text="Cống tắc ở chợ, cần gấp, gọi 0912 345 678 nhé.")
    await report(harness, typed="Ngõ 7 Trần Phú")
    await harness.press_button(TECH_A, card(harness, first), "Xác nhận")
    page = await client.get("/r/phuong-song-cau")
    assert page.status == 200
    html = await page.text()
    assert "Phản ánh hiện trường" in html
    assert "Thoát nước" in html and "Ngõ 7 Trần Phú" in html
    assert "Đã xác nhận: <b>1</b>" in html and "Đã tiếp nhận: <b>1</b>" in html
    assert "Cán bộ đã xem và xác nhận phản ánh." in html
    stored = (await session.scalars(select(StreetReport))).all()
    assert stored and all(r.reporter_tg_id == RESIDENT_ID for r in stored)
    assert "Cống tắc ở chợ, cần gấp" in html
    for needle in (str(RESIDENT_ID), str(TECH_A), "Bà Lan", "345 678", stored[0].photos[0]):
        assert needle not in html, needle
    english = await (await client.get("/r/phuong-song-cau?lang=en")).text()
    assert "Street reports" in english and "Acknowledged: <b>1</b>" in english
    assert (await client.get("/r/nowhere")).status == 404
