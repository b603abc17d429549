"""Acknowledgement reminders and escalation, driven by a fixed clock through the real outbox,
sender and dispatcher."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from typing import Any, cast

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.delivery import add_reminder_job
from bot.services.directory.roles import grant_role
from bot.services.notices.reminders import run_reminders
from bot.texts import Catalog
from broadcasts.sender import Sender
from models import (
    Acknowledgement,
    Delivery,
    DeliveryStatus,
    Notice,
    Resident,
    ResidentialGroup,
    Role,
    Urgency,
    utcnow,
)
from sandbox import Sandbox
from tests.delivery_kit import announce, children, deliver, group_chats, people, received, ward
from tests.harness import LEADER_ID, BotHarness, texts

T0 = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)  # Monday 09:00 in Hà Nội time
HOURS = 3
TEXT = "Họp tổ dân phố tối thứ Bảy\nTại nhà văn hóa, mang theo sổ hộ khẩu."
OTHER_LEADER = LEADER_ID + 1


def private_messages(sandbox: Sandbox, chat_id: int) -> list[dict[str, Any]]:
    return [c.result for c in sandbox.calls_for("sendMessage", chat_id=chat_id) if c.result]


async def test_reminder_reaches_only_missing_households_then_their_leaders(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    ward_id = await ward(session, groups=2, households=6)
    g1, g2 = list(await session.scalars(select(ResidentialGroup).order_by(ResidentialGroup.id)))
    g1_id, g1_name, g2_name = g1.id, g1.name, g2.name
    everyone = await people(session)
    a, b, c = [p for p in everyone if p.group_id == g1_id]
    rest = [p for p in everyone if p.group_id != g1_id]
    blocked = Resident(
        telegram_id=c.telegram_id + 5,
        display_name="Con ông C",
        household_id=c.household_id,
        consent_at=utcnow(),
        private_chat_blocked=True,
    )
    session.add(blocked)
    await session.commit()
    await grant_role(session, LEADER_ID, Role.GROUP_LEADER, group_name=g1_name)
    await grant_role(session, OTHER_LEADER, Role.GROUP_LEADER, group_name=g2_name)
    catalog = Catalog(settings.language)

    parent = await announce(session, ward_id, TEXT, queued_at=T0, remind_after_hours=HOURS)
    await deliver(settings, sandbox, session_factory, {parent})
    chats = await group_chats(session)
    in_g1 = next(c.result for c in sandbox.calls_for("sendMessage", chat_id=chats[0]))
    in_g2 = next(c.result for c in sandbox.calls_for("sendMessage", chat_id=chats[1]))
    await harness.press_button(a.telegram_id, in_g1, "Đã nhận")
    for p in rest:  # group 2 is complete
        await harness.press_button(p.telegram_id, in_g2, "Đã nhận")

    early = await run_reminders(
        T0 + timedelta(hours=HOURS - 1), session_factory, settings, catalog
    )
    assert not early.queued

    due = T0 + timedelta(hours=HOURS)
    first, second = await asyncio.gather(
        run_reminders(due, session_factory, settings, catalog),
        run_reminders(due, session_factory, settings, catalog),
    )
    assert first.reminded + second.reminded == [parent]  # two overlapping runs, one reminder
    [reminder] = await children(session, parent)
    assert reminder.kind == "reminder" and reminder.audience["kind"] == "residents"
    await deliver(settings, sandbox, session_factory, {reminder.id})
    privately = {p.telegram_id for p in everyone if private_messages(sandbox, p.telegram_id)}
    assert privately == {b.telegram_id, c.telegram_id}
    [to_b] = private_messages(sandbox, b.telegram_id)
    assert (
        "🔔 Nhắc lại: hộ mình chưa bấm «Đã nhận»" in to_b["text"] and "nhà văn hóa" in to_b["text"]
    )
    assert to_b["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == f"ack:{parent}"
    skipped = await session.scalar(
        select(Delivery.status).where(
            Delivery.notice_id == reminder.id, Delivery.chat_id == blocked.telegram_id
        )
    )
    assert skipped == DeliveryStatus.SKIPPED and not private_messages(sandbox, blocked.telegram_id)

    assert "Đã ghi nhận hộ" in texts(await harness.press_button(b.telegram_id, to_b, "Đã nhận"))[0]
    acked = set(
        await session.scalars(
            select(Acknowledgement.household_id).where(Acknowledgement.notice_id == parent)
        )
    )
    assert b.household_id in acked and c.household_id not in acked
    assert not await session.scalar(
        select(Acknowledgement.id).where(Acknowledgement.notice_id == reminder.id)
    )
    later = await run_reminders(due + timedelta(minutes=5), session_factory, settings, catalog)
    assert not later.queued

    escalated = await run_reminders(
        due + timedelta(hours=HOURS), session_factory, settings, catalog
    )
    assert escalated.escalated == [parent] and len(escalated.children) == 1  # group 2 is complete
    await deliver(settings, sandbox, session_factory, set(escalated.children))
    [to_leader] = private_messages(sandbox, LEADER_ID)
    assert "Họp tổ dân phố tối thứ Bảy" in to_leader["text"] and g1_name in to_leader["text"]
    assert f"• {c.address}" in to_leader["text"]
    assert f"• {b.address}" not in to_leader["text"] and f"• {a.address}" not in to_leader["text"]
    assert not private_messages(sandbox, OTHER_LEADER)
    final = await run_reminders(due + timedelta(days=2), session_factory, settings, catalog)
    assert not final.queued and len(await children(session, parent)) == 2
    stage = await session.scalar(select(Notice.remind_stage).where(Notice.id == parent))
    assert stage == 2


async def test_escalation_lists_at_most_thirty_households(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    ward_id = await ward(session, groups=1, households=34)
    await grant_role(session, LEADER_ID, Role.GROUP_LEADER, group_name="Tổ 1")
    catalog = Catalog(settings.language)
    parent = await announce(session, ward_id, TEXT, queued_at=T0, remind_after_hours=HOURS)
    await deliver(settings, sandbox, session_factory, {parent})
    for hours in (HOURS, 2 * HOURS):
        report = await run_reminders(
            T0 + timedelta(hours=hours), session_factory, settings, catalog
        )
        await deliver(settings, sandbox, session_factory, set(report.children))
    [to_leader] = private_messages(sandbox, LEADER_ID)
    assert "còn 34 hộ" in to_leader["text"] and "… và 4 hộ khác" in to_leader["text"]
    assert to_leader["text"].count("\n• ") == 30


async def test_quiet_hours_hold_a_normal_reminder_but_not_an_urgent_one(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    ward_id = await ward(session, groups=1, households=2)
    catalog = Catalog(settings.language)
    tz = settings.tz
    day = (utcnow() + timedelta(days=2)).astimezone(tz).date()
    evening = datetime.combine(day, time(18, 0), tzinfo=tz)  # a day still to come
    normal = await announce(
        session, ward_id, "Thu phí vệ sinh", queued_at=evening, remind_after_hours=4
    )
    urgent = await announce(
        session,
        ward_id,
        "Cắt nước",
        urgency=Urgency.URGENT,
        queued_at=evening,
        remind_after_hours=4,
    )
    await deliver(settings, sandbox, session_factory, {normal, urgent})
    before = received(sandbox)

    at_night = evening + timedelta(hours=4)  # 22:00, inside 21:00-06:30
    report = await run_reminders(at_night, session_factory, settings, catalog)
    assert len(report.children) == 2
    [held] = await children(session, normal)
    [now_sent] = await children(session, urgent)
    morning = datetime.combine(day + timedelta(days=1), time(6, 30), tzinfo=tz)
    assert held.scheduled_at == morning and now_sent.scheduled_at is None
    await deliver(settings, sandbox, session_factory, None)  # what is due now
    people_now = (received(sandbox) - before).keys()
    assert people_now == {p.telegram_id for p in await people(session)}  # the urgent one
    held_rows = select(Delivery.next_attempt_at).where(Delivery.notice_id == held.id)
    assert set(await session.scalars(held_rows)) == {morning}
    assert not await session.scalar(
        select(Delivery.id).where(
            Delivery.notice_id == held.id, Delivery.status != DeliveryStatus.PENDING
        )
    )


async def test_the_minute_job_queues_due_reminders_and_wakes_the_sender(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    ward_id = await ward(session, groups=1, households=2)
    settings = settings.model_copy(update={"quiet_hours": "off"})
    went_out = utcnow() - timedelta(hours=HOURS, minutes=1)
    parent = await announce(session, ward_id, TEXT, queued_at=went_out, remind_after_hours=HOURS)
    woken: list[bool] = []

    class Waker:
        def wake(self) -> None:
            woken.append(True)

    scheduler = AsyncIOScheduler(timezone=settings.tz)
    add_reminder_job(scheduler, cast(Sender, Waker()), session_factory, settings, Catalog())
    job = scheduler.get_job("loa-reminders")
    assert job is not None and job.trigger.interval == timedelta(minutes=1)
    await job.func()
    assert woken == [True] and len(await children(session, parent)) == 1
    await job.func()  # nothing more is due: the sender is left alone
    assert woken == [True] and len(await children(session, parent)) == 1


async def test_recalling_a_notice_drops_its_queued_reminders(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    from broadcasts import outbox

    ward_id = await ward(session, groups=1, households=3)
    parent = await announce(session, ward_id, TEXT, queued_at=T0, remind_after_hours=HOURS)
    await deliver(settings, sandbox, session_factory, {parent})
    report = await run_reminders(
        T0 + timedelta(hours=HOURS), session_factory, settings, Catalog(settings.language)
    )
    [reminder] = report.children or [c.id for c in await children(session, parent)]
    await outbox.cancel(session, parent, actor_id=None)
    statuses = set(
        await session.scalars(
            select(Delivery.status)
            .where(Delivery.notice_id == reminder)
            .execution_options(populate_existing=True)
        )
    )
    assert statuses == {DeliveryStatus.CANCELLED}
    child = await session.get(Notice, reminder, populate_existing=True)
    assert child is not None and child.status.value == "cancelled"
