"""Questions asked in a group chat, a resident who never started the bot, the Take race."""

from __future__ import annotations

import asyncio

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models import TicketEvent, TicketStatus
from tests.harness import GROUP_CHAT, RESIDENT_ID, BotHarness, texts
from tests.triage.triage_world import (
    NEIGHBOUR,
    STAFF_CHAT,
    TECH_A,
    TECH_B,
    ask_private,
    card,
    make_world,
    ticket,
)


async def test_group_question_from_resident_who_never_started_the_bot(
    harness: BotHarness, session: AsyncSession
) -> None:
    await make_world(harness, session)
    harness.sandbox.block(NEIGHBOUR, "blocked")  # Telegram answers 403 to private messages
    asked = await harness.send(
        NEIGHBOUR,
        "/ask Cho hỏi đăng ký tạm trú cho người thuê nhà làm thế nào?",
        chat_id=GROUP_CHAT,
        chat_type="supergroup",
        first_name="Anh Tuấn",
    )
    brief = texts(asked)[-1]
    assert "#1" in brief and "tổ công nghệ số" in brief and "ngay tại đây" in brief
    assert "bấm vào @loa_phuong_bot" in brief and "@Loa " not in brief  # the real username
    t = await ticket(session, 1)
    assert t.origin_chat_id == GROUP_CHAT and t.resident_name == "Anh Tuấn"
    assert t.category.value == "procedure"
    staff_card = card(harness, 1)
    assert "Anh Tuấn" in staff_card["text"] and "Tổ 13" in staff_card["text"]

    answered = await harness.send(
        TECH_B,
        "Anh mang CCCD của người thuê ra bộ phận một cửa, hoặc khai trên VNeID.",
        chat_id=STAFF_CHAT,
        chat_type="supergroup",
        reply_to=staff_card["message_id"],
    )
    assert any("vào nhóm" in x for x in texts(answered))
    in_group = harness.sandbox.calls_for("sendMessage", chat_id=GROUP_CHAT)[-1]
    assert "VNeID" in in_group.params["text"]
    assert in_group.params["reply_parameters"]["message_id"] == t.origin_message_id
    blocked = [c for c in harness.sandbox.calls_for("sendMessage", chat_id=NEIGHBOUR)]
    assert blocked and all(c.error_code == 403 for c in blocked)

    # The neighbour replies in the thread: the ticket continues.
    follow = await harness.send(
        NEIGHBOUR,
        "Người thuê chưa có CCCD gắn chip thì sao?",
        chat_id=GROUP_CHAT,
        chat_type="supergroup",
        reply_to=in_group.result,
    )
    assert any("#1" in x for x in texts(follow))
    assert (
        "gắn chip"
        in harness.sandbox.calls_for("sendMessage", chat_id=STAFF_CHAT)[-1].params["text"]
    )
    # Someone else replying to the bot in the group is not taken as the asker.
    other = await harness.send(
        RESIDENT_ID, "Tôi cũng muốn biết", chat_id=GROUP_CHAT, reply_to=in_group.result
    )
    assert texts(other) == []


async def test_two_take_presses_at_once_exactly_one_wins(
    harness: BotHarness, session: AsyncSession
) -> None:
    await make_world(harness, session)
    number = await ask_private(harness, "Xin hỏi lịch tiêm chủng tháng này?")
    staff_card = card(harness, number)
    data = next(
        b["callback_data"]
        for row in staff_card["reply_markup"]["inline_keyboard"]
        for b in row
        if "Nhận" in b["text"]
    )
    a, b = await asyncio.gather(
        harness.press(TECH_A, staff_card, data), harness.press(TECH_B, staff_card, data)
    )
    # Each feed returns the calls made while it ran, so the two lists overlap: dedupe.
    unique = {c.seq: c for c in [*a, *b] if c.method == "answerCallbackQuery"}
    answers = [c.params.get("text", "") for c in unique.values()]
    won = [x for x in answers if "Bạn đã nhận" in x]
    lost = [x for x in answers if "đã được" in x and "nhận rồi" in x]
    assert len(won) == 1 and len(lost) == 1, answers
    t = await ticket(session, number)
    assert t.status is TicketStatus.TAKEN and t.assignee_id in (TECH_A, TECH_B)
    winner_name = f"User {t.assignee_id}"
    assert winner_name in lost[0]
    takes = list(
        await session.scalars(
            select(TicketEvent).where(
                TicketEvent.ticket_id == number, TicketEvent.to_status == TicketStatus.TAKEN
            )
        )
    )
    assert len(takes) == 1 and takes[0].actor_id == t.assignee_id
