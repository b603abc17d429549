"""Events: "Tôi sẽ tham gia" presses counted for /coverage, the eve and morning reminders,
and the composer's preview buttons that record nothing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.directory.roles import grant_role
from bot.services.notices.reminders import run_reminders
from bot.texts import Catalog
from models import Acknowledgement, Attendance, Notice, ResidentialGroup, Role
from sandbox import Sandbox
from tests.delivery_kit import announce, children, deliver, group_chats, notice, people, ward
from tests.harness import ADMIN_ID, LEADER_ID, BotHarness, texts
from tests.notices.test_reminders import T0

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
TEXT = "Tiêm chủng cho trẻ dưới 5 tuổi tại trạm y tế phường"


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=HANOI)


async def test_attendance_and_event_reminders_eve_and_morning(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    ward_id = await ward(session, groups=2, households=4)
    names = await session.scalars(select(ResidentialGroup.name).order_by(ResidentialGroup.id))
    g1_name, g2_name = list(names)
    await grant_role(session, LEADER_ID, Role.GROUP_LEADER, group_name=g2_name)
    p1, p2, p3, _ = await people(session)  # groups alternate: p1, p3 in Tổ 1; p2 in Tổ 2
    catalog = Catalog(settings.language)
    event_at = local(12, 7, 30)
    parent = await announce(session, ward_id, TEXT, queued_at=T0, event_at=event_at)
    await deliver(settings, sandbox, session_factory, {parent})
    chats = await group_chats(session)
    in_g1 = next(c.result for c in sandbox.calls_for("sendMessage", chat_id=chats[0]))
    assert [r[0]["callback_data"] for r in in_g1["reply_markup"]["inline_keyboard"]] == [
        f"ack:{parent}",
        f"att:{parent}",
    ]

    thanks = texts(await harness.press_button(p1.telegram_id, in_g1, "Tôi sẽ tham gia"))
    assert thanks == ["🙋 Cảm ơn! Đã ghi nhận sẽ tham gia."]
    again = texts(await harness.press_button(p1.telegram_id, in_g1, "Tôi sẽ tham gia"))
    assert again == ["Đã báo sẽ tham gia rồi, cảm ơn ông/bà."]
    other_group = texts(await harness.press_button(p2.telegram_id, in_g1, "Tôi sẽ tham gia"))
    assert "không được gửi tới tổ" in other_group[0]  # p2 lives in Tổ 2: not their chat
    in_g2 = next(c.result for c in sandbox.calls_for("sendMessage", chat_id=chats[1]))
    await harness.press_button(p2.telegram_id, in_g2, "Tôi sẽ tham gia")  # their own: counts
    await harness.press_button(55_555, in_g1, "Tôi sẽ tham gia")  # not registered: still counts

    args = (session_factory, settings, catalog)
    assert not (await run_reminders(local(11, 17, 59), *args)).queued
    eve = await run_reminders(local(11, 18, 0), *args)
    assert eve.events == [parent] and len(eve.children) == 1
    assert not (await run_reminders(local(11, 19, 0), *args)).queued
    await deliver(settings, sandbox, session_factory, set(eve.children))
    recalled = [c.result for c in sandbox.calls_for("sendMessage", chat_id=chats[0])][-1]
    assert recalled["text"].count("⏰ Nhắc lịch: ngày mai lúc 07:30") == 1
    assert TEXT in recalled["text"]
    assert recalled["reply_markup"]["inline_keyboard"][1][0]["callback_data"] == f"att:{parent}"
    await harness.press_button(p3.telegram_id, recalled, "Tôi sẽ tham gia")  # counts for parent

    morning = await run_reminders(local(12, 6, 30), *args)
    assert morning.events == [parent]
    [_, today] = await children(session, parent)
    assert today.text.startswith("⏰ Nhắc lịch: hôm nay lúc 07:30") and today.event_at == event_at
    assert not (await run_reminders(local(12, 8, 0), *args)).queued
    assert await session.scalar(select(Notice.event_stage).where(Notice.id == parent)) == 2

    stmt = select(Attendance.notice_id, func.count()).group_by(Attendance.notice_id)
    counted = {notice_id: n for notice_id, n in (await session.execute(stmt)).tuples()}
    assert counted == {parent: 4}
    unregistered = await session.scalar(
        select(Attendance.household_id).where(Attendance.telegram_id == 55_555)
    )
    assert unregistered is None
    report = texts(await harness.send(ADMIN_ID, f"/coverage {parent}"))[0]
    assert "Sẽ tham gia: 4 người" in report
    assert f"• {g1_name}: 2 người" in report and f"• {g2_name}: 1 người" in report
    assert "Chưa đăng ký với Loa: 1 người" in report
    leader = texts(await harness.send(LEADER_ID, f"/coverage {parent}"))[0]
    assert f"• {g2_name}: 1 người" in leader and f"{g1_name}: 2" not in leader
    assert "Chưa đăng ký" not in leader


async def test_late_announcements_and_missed_eves_send_only_what_still_makes_sense(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    ward_id = await ward(session, groups=1, households=2)
    args = (session_factory, settings, Catalog(settings.language))
    after_eve = await announce(
        session, ward_id, "A", queued_at=local(11, 19), event_at=local(12, 7, 30)
    )
    after_morning = await announce(
        session, ward_id, "B", queued_at=local(12, 7), event_at=local(12, 7, 30)
    )
    passed = await announce(session, ward_id, "C", queued_at=T0, event_at=local(11, 10))
    down_at_eve = await announce(session, ward_id, "D", queued_at=T0, event_at=local(13, 7, 30))

    assert not (await run_reminders(local(11, 10, 30), *args)).queued  # C is over
    assert not (await run_reminders(local(11, 20), *args)).queued  # A: only the morning one
    assert (await run_reminders(local(12, 7, 5), *args)).events == [after_eve]
    assert (await run_reminders(local(13, 7, 5), *args)).events == [down_at_eve]

    for parent in (after_morning, passed):
        assert await children(session, parent) == []
    for parent in (after_eve, down_at_eve):
        [only] = await children(session, parent)
        assert only.text.startswith("⏰ Nhắc lịch: hôm nay lúc 07:30")
    stages = await session.scalars(
        select(Notice.event_stage).where(Notice.parent_id.is_(None)).order_by(Notice.id)
    )
    assert list(stages) == [2, 2, 2, 2]


async def test_preview_buttons_record_nothing(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    ward_id = await ward(session, groups=1, households=1)
    [person] = await people(session)
    preview = {"chat": {"id": person.telegram_id}, "message_id": 1}
    for data in ("ack:0", "att:0"):
        calls = await harness.press(person.telegram_id, preview, data)
        [answer] = [c for c in calls if c.method == "answerCallbackQuery"]
        assert "chỉ là bản xem trước" in answer.params["text"] and answer.params["show_alert"]
    for table in (Acknowledgement, Attendance):
        assert not await session.scalar(select(func.count()).select_from(table))

    plain = await notice(session, ward_id, "Không phải sự kiện")
    await deliver(settings, sandbox, session_factory, {plain.id})
    said = texts(await harness.press(person.telegram_id, preview, f"att:{plain.id}"))
    assert said == ["Thông báo này không có lịch tham gia."]
    assert not await session.scalar(select(func.count()).select_from(Attendance))
