"""The suite's clock is an input: a notice written late at night waits for morning, whatever
the wall clock says when the suite runs."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.directory.roles import grant_role
from models import Delivery, NoticeStatus, Role, utcnow
from models.clock import ManualClock
from sandbox import Sandbox
from tests.conftest import HCM
from tests.delivery_kit import deliver, group_chats
from tests.harness import LEADER_ID, BotHarness
from tests.notices.announce_kit import Composer, notice_row, ward_with_official


async def test_a_notice_written_at_2330_goes_out_at_0630(
    clock: ManualClock,
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    await ward_with_official(session)
    await grant_role(session, LEADER_ID, Role.GROUP_LEADER, group_name="Tổ 1")
    clock.set(datetime(2026, 11, 24, 23, 30, tzinfo=HCM))
    c = Composer(harness, LEADER_ID)
    preview = await c.notice("Sáng mai 7h họp tổ.", audience=())
    assert "Giờ yên tĩnh: sẽ gửi lúc 06:30" in preview[-1]
    await c.tap("🚀 Gửi")
    held = await notice_row(session)
    assert held.status is NoticeStatus.QUEUED
    morning = datetime(2026, 11, 25, 6, 30, tzinfo=HCM)
    due = (await session.scalars(select(Delivery.next_attempt_at).where(
        Delivery.notice_id == held.id))).all()  # fmt: skip
    assert due and all(d == morning for d in due)
    chat = (await group_chats(session))[0]
    assert not sandbox.calls_for("sendMessage", chat_id=chat)

    clock.set(morning + timedelta(minutes=1))
    assert utcnow() > morning
    await deliver(settings, sandbox, session_factory, {held.id})
    sent = [x for x in sandbox.calls_for("sendMessage", chat_id=chat) if x.ok]
    assert sent and "họp tổ" in str(sent[0].params["text"])
