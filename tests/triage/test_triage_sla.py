"""Response-time targets with a controllable clock; emergencies alert officials at once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.triage.jobs import run_sla_checks
from models import TicketCategory, TicketEvent
from tests.harness import OFFICIAL_ID, BotHarness, texts
from tests.triage.triage_world import STAFF_CHAT, TECH_A, ask_private, card, make_world, ticket


async def test_reminder_before_deadline_then_escalation_after(
    harness: BotHarness, session: AsyncSession
) -> None:
    await make_world(harness, session)
    number = await ask_private(harness, "Cho hỏi giờ làm việc của bộ phận một cửa?")
    t = await ticket(session, number)
    args = (harness.session_factory, harness.bot, harness.settings)

    early = await run_sla_checks(t.due_at - timedelta(hours=2), *args)
    assert early.reminded == [] and early.escalated == []

    before = len(harness.sandbox.calls)
    soon = await run_sla_checks(t.due_at - timedelta(minutes=30), *args)
    assert soon.reminded == [number]
    reminder = harness.sandbox.calls_for("sendMessage", chat_id=STAFF_CHAT)[-1]
    assert "⏰" in reminder.params["text"] and f"#{number}" in reminder.params["text"]
    assert reminder.params["reply_parameters"]["message_id"] == t.staff_message_id
    again = await run_sla_checks(t.due_at - timedelta(minutes=10), *args)
    assert again.reminded == []  # once only
    assert not harness.sandbox.calls_for("sendMessage", chat_id=OFFICIAL_ID)

    late = await run_sla_checks(t.due_at + timedelta(minutes=1), *args)
    assert late.escalated == [number]
    to_official = harness.sandbox.calls_for("sendMessage", chat_id=OFFICIAL_ID)
    assert len(to_official) == 1 and "quá hạn" in to_official[0].params["text"]
    staff_note = harness.sandbox.calls_for("sendMessage", chat_id=STAFF_CHAT)[-1]
    assert "quá hạn" in staff_note.params["text"] and "1 cán bộ" in staff_note.params["text"]
    assert "Đã báo cán bộ phường" in card(harness, number)["text"]
    assert (await run_sla_checks(t.due_at + timedelta(hours=1), *args)).escalated == []
    assert len(harness.sandbox.calls) > before
    notes = list(
        await session.scalars(select(TicketEvent.note).where(TicketEvent.ticket_id == number))
    )
    assert "reminded" in notes and "overdue" in notes


async def test_answered_in_time_is_never_escalated(
    harness: BotHarness, session: AsyncSession
) -> None:
    await make_world(harness, session)
    number = await ask_private(harness, "Hỏi về lịch thu gom rác?")
    staff_card = card(harness, number)
    await harness.send(
        TECH_A,
        "Thứ hai, tư, sáu hàng tuần.",
        chat_id=STAFF_CHAT,
        chat_type="supergroup",
        reply_to=staff_card["message_id"],
    )
    t = await ticket(session, number)
    report = await run_sla_checks(
        t.due_at + timedelta(days=1), harness.session_factory, harness.bot, harness.settings
    )
    assert report.reminded == [] and report.escalated == []


async def test_emergency_alerts_officials_at_once(
    harness: BotHarness, session: AsyncSession
) -> None:
    await make_world(harness, session)
    number = await ask_private(harness, "Cháy nhà ở ngõ 4, cần cấp cứu ngay!")
    t = await ticket(session, number)
    assert t.category is TicketCategory.EMERGENCY
    alert = harness.sandbox.calls_for("sendMessage", chat_id=OFFICIAL_ID)
    assert len(alert) == 1 and "KHẨN CẤP" in alert[0].params["text"]
    # The official can act from the alert itself.
    took = await harness.press_button(OFFICIAL_ID, alert[0].result, "Nhận")
    assert any(f"nhận câu hỏi #{number}" in x for x in texts(took))
    assert "đang xử lý" in card(harness, number)["text"]
