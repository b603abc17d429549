"""Residents ask: private chat with a guide offered first, photos, a group chat, follow-ups."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEntry, Direction, Ticket, TicketCategory, TicketMessage, TicketStatus
from tests.harness import RESIDENT_ID, BotHarness, last_message, texts
from tests.triage.triage_world import (
    STAFF_CHAT,
    TECH_A,
    ask_private,
    card,
    fake_guides,
    make_world,
    ticket,
)


async def test_private_question_reaches_staff_and_answer_comes_back(
    harness: BotHarness, session: AsyncSession
) -> None:
    await make_world(harness, session)
    number = await ask_private(harness, "Nhà tôi bị mất nước từ hôm qua, hỏi ai?")
    t = await ticket(session, number)
    assert t.status is TicketStatus.NEW and t.category is TicketCategory.OTHER
    staff_card = card(harness, number)
    assert "Bà Lan" in staff_card["text"] and "Tổ 13" in staff_card["text"]
    labels = [b["text"] for row in staff_card["reply_markup"]["inline_keyboard"] for b in row]
    for label in ("Nhận", "Trả lời", "hướng dẫn", "cán bộ", "Đóng", "Spam"):
        assert any(label in x for x in labels), labels

    took = await harness.press_button(TECH_A, staff_card, "Nhận")
    assert any(f"nhận câu hỏi #{number}" in x for x in texts(took))
    calls = await harness.send(
        TECH_A,
        "Bà gọi số 0209 3870 000 của công ty nước nhé.",
        chat_id=STAFF_CHAT,
        chat_type="supergroup",
        reply_to=staff_card["message_id"],
    )
    to_resident = harness.sandbox.calls_for("sendMessage", chat_id=RESIDENT_ID)[-1]
    assert "0209 3870 000" in to_resident.params["text"]
    assert any("tin nhắn riêng" in x for x in texts(calls))
    t = await ticket(session, number)
    assert t.status is TicketStatus.ANSWERED and t.first_response_at is not None
    assert t.assignee_id == TECH_A

    # The resident replies to the answer: the same ticket continues, the team sees it.
    answer_msg = to_resident.result
    follow = await harness.send(RESIDENT_ID, "Cảm ơn, còn hóa đơn thì sao?", reply_to=answer_msg)
    assert any(f"#{number}" in x for x in texts(follow))
    relayed = harness.sandbox.calls_for("sendMessage", chat_id=STAFF_CHAT)[-1]
    assert "hóa đơn" in relayed.params["text"]
    assert (await ticket(session, number)).status is TicketStatus.TAKEN

    # Answer again through the Answer button and private chat.
    pressed = await harness.press_button(TECH_A, card(harness, number), "Trả lời")
    assert any("nhắn riêng" in x for x in texts(pressed))
    done = await harness.send(TECH_A, "Hóa đơn xem trên ứng dụng của công ty nước.")
    assert any("Đã gửi" in x for x in texts(done))
    inbound = list(
        await session.scalars(
            select(TicketMessage.direction).where(TicketMessage.ticket_id == number)
        )
    )
    assert inbound == [Direction.IN, Direction.OUT, Direction.IN, Direction.OUT]

    # Close; the resident rates the answer.
    await harness.press_button(TECH_A, card(harness, number), "Đóng")
    rate_call = harness.sandbox.calls_for("sendMessage", chat_id=RESIDENT_ID)[-1]
    assert "có giúp được không" in rate_call.params["text"]
    rated = await harness.press_button(RESIDENT_ID, rate_call.result, "Tốt")
    assert any("Cảm ơn" in x for x in texts(rated))
    again = await harness.press_button(RESIDENT_ID, rate_call.result, "Tốt")
    assert any("rồi" in x for x in texts(again))
    mine = texts(await harness.send(RESIDENT_ID, "/myquestions"))[0]
    assert f"#{number}" in mine and "đã đóng" in mine


async def test_guide_offered_first_and_solves_it(
    harness: BotHarness, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_world(harness, session)
    fake_guides(monkeypatch)
    preview = last_message(await harness.send(RESIDENT_ID, "/ask Làm giấy khai sinh cho con?"))
    assert "Đăng ký khai sinh" in preview["text"]
    solved = await harness.press_button(RESIDENT_ID, preview, "Đã giải quyết")
    assert any("vui" in x for x in texts(solved))
    assert await session.scalar(select(Ticket.id)) is None
    actions = list(await session.scalars(select(AuditEntry.action)))
    assert "question.self_solved" in actions

    # Sent anyway: it is a procedure question about that code.
    preview = last_message(await harness.send(RESIDENT_ID, "/ask Làm giấy khai sinh cho con?"))
    await harness.press_button(RESIDENT_ID, preview, "vẫn gửi")
    t = (await session.scalars(select(Ticket))).one()
    assert t.category is TicketCategory.PROCEDURE and t.procedure_code == "1.001193"
