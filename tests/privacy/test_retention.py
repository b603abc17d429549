"""Retention: after its period a question loses its text, photos and asker; a private delivery
its chat; searches and scans go. `loa run` schedules it nightly."""

from __future__ import annotations

from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.directory import retention
from bot.services.directory.retention_job import add_retention_job
from bot.services.procedures import core as procedures
from models import (
    Delivery,
    ProcedureScan,
    SearchGap,
    TargetKind,
    Ticket,
    TicketMessage,
    Urgency,
    Ward,
    utcnow,
)
from sandbox import Sandbox
from tests.delivery_kit import announce, deliver
from tests.harness import RESIDENT_ID, BotHarness
from tests.privacy.kit import answer_by_reply
from tests.triage.triage_world import TECH_A, ask_private, card, make_world


async def test_purge_after_the_periods(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    await make_world(harness, session)
    number = await ask_private(harness, "Nhà tôi số 5 bị mất điện, gọi 0911222333")
    await answer_by_reply(harness, number, "Đã báo điện lực.")
    await harness.press_button(TECH_A, card(harness, number), "Đóng")
    ward_id = (await session.scalars(select(Ward.id))).one()
    notice_id = await announce(
        session, ward_id, "Cắt điện", queued_at=utcnow(), urgency=Urgency.URGENT
    )
    await deliver(settings, sandbox, session_factory, {notice_id})
    await procedures.search(session, "xyzzy quux", subject="s" * 32)
    session.add(ProcedureScan(code="1.001193", place="cong"))
    await session.commit()
    periods = retention.Periods.from_settings(settings)

    soon = await retention.purge(session, periods, now=utcnow() + timedelta(days=20))
    assert soon.total == 0

    later = await retention.purge(session, periods, now=utcnow() + timedelta(days=400))
    assert (later.questions, later.searches, later.scans) == (1, 1, 1)
    assert later.deliveries >= 1
    session.expire_all()
    ticket = await session.get(Ticket, number)
    assert ticket is not None and ticket.category and ticket.closed_at  # the figures stay
    assert (ticket.resident_tg_id, ticket.resident_name, ticket.summary) == (0, "", "")
    texts = list(await session.scalars(select(TicketMessage.text)))
    assert texts and set(texts) == {""}
    private = select(func.count(Delivery.id)).where(
        Delivery.target == TargetKind.RESIDENT, Delivery.chat_id == RESIDENT_ID
    )
    assert await session.scalar(private) == 0
    assert await session.scalar(select(func.count(SearchGap.id))) == 0
    assert await session.scalar(select(func.count(ProcedureScan.id))) == 0


def test_loa_run_schedules_the_purge(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    scheduler = AsyncIOScheduler(timezone=settings.tz)
    add_retention_job(scheduler, session_factory, settings)
    assert scheduler.get_job("loa-retention") is not None
