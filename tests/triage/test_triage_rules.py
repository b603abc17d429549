"""Bad input, abuse limits, spam, non-members, the queue, the figures and the FAQ."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory import erasure, residents
from models import AskBlock, AuditEntry, FaqEntry, Ticket, TicketMessage, TicketStatus, utcnow
from tests.harness import GROUP_CHAT, OFFICIAL_ID, RESIDENT_ID, BotHarness, last_message, texts
from tests.privacy.kit import answer_by_reply
from tests.triage.triage_world import (
    STAFF_CHAT,
    TECH_A,
    ask_private,
    card,
    make_world,
    ticket,
)

OTHER_RESIDENT = 200_000_003


async def test_empty_questions_get_a_clear_answer(
    harness: BotHarness, session: AsyncSession
) -> None:
    await make_world(harness, session)
    in_group = await harness.send(RESIDENT_ID, "/ask", chat_id=GROUP_CHAT, chat_type="supergroup")
    assert "Hãy viết câu hỏi sau lệnh" in texts(in_group)[0]
    prompt = await harness.send(RESIDENT_ID, "/ask")
    assert "Hãy viết câu hỏi" in texts(prompt)[0]
    photo_only = await harness.send(RESIDENT_ID, None, photo=True)
    assert "vài dòng mô tả" in texts(photo_only)[0]
    preview = last_message(await harness.send(RESIDENT_ID, "Ảnh giấy hẹn bị mờ chữ"))
    assert "Kèm 1 ảnh" in preview["text"]
    sticker = await harness.send(RESIDENT_ID, None, sticker=True)
    assert "chữ và ảnh" in texts(sticker)[0]
    await harness.press_button(RESIDENT_ID, preview, "Gửi")
    stale = await harness.press_button(RESIDENT_ID, preview, "Gửi")  # pressed twice
    assert "Không có câu hỏi" in texts(stale)[0]
    assert await session.scalar(select(func.count(Ticket.id))) == 1
    unbound = await harness.send(
        RESIDENT_ID, "/ask Xin hỏi", chat_id=-1_003_333_333, chat_type="supergroup"
    )
    assert "chưa được gắn" in texts(unbound)[0]


async def test_huge_album_keeps_five_photos_and_says_so(
    harness: BotHarness, session: AsyncSession
) -> None:
    await make_world(harness, session)
    await harness.send(RESIDENT_ID, "/ask")
    replies: list[str] = []
    for i in range(8):
        calls = await harness.send(
            RESIDENT_ID,
            None,
            photo=True,
            caption="Hồ sơ xin cấp phép sửa nhà, nhờ xem giúp còn thiếu gì" if i == 0 else None,
            extra={"media_group_id": "album-1"},
        )
        replies += texts(calls)
    assert sum("tối đa 5 ảnh" in r for r in replies) == 1
    previews = [r for r in replies if "Câu hỏi:" in r]
    assert len(previews) == 1 and "Kèm 1 ảnh" in previews[0]
    preview = last_message(await harness.send(RESIDENT_ID, "Nhà ở tổ 13."))
    assert "Kèm 5 ảnh" in preview["text"]
    await harness.press_button(RESIDENT_ID, preview, "Gửi")
    photos = await session.scalar(select(TicketMessage.photos))
    assert photos is not None and len(photos) == 5
    album = harness.sandbox.calls_for("sendMediaGroup", chat_id=STAFF_CHAT)
    assert len(album) == 1 and album[0].ok and len(album[0].params["media"]) == 5


async def test_reply_to_closed_ticket_reopens_within_7_days_else_new_question(
    harness: BotHarness, session: AsyncSession
) -> None:
    await make_world(harness, session)
    number = await ask_private(harness, "Hỏi về trợ cấp người cao tuổi")
    await answer_by_reply(harness, number, "Bác làm đơn theo mẫu tại bộ phận một cửa.")
    answer_msg = harness.sandbox.calls_for("sendMessage", chat_id=RESIDENT_ID)[-1].result
    await harness.press_button(TECH_A, card(harness, number), "Đóng")

    reopened = await harness.send(RESIDENT_ID, "Mẫu đơn lấy ở đâu?", reply_to=answer_msg)
    assert any(f"#{number}" in x for x in texts(reopened))
    t = await ticket(session, number)
    assert t.status is TicketStatus.TAKEN and t.closed_at is None
    assert (
        "mở lại" in harness.sandbox.calls_for("sendMessage", chat_id=STAFF_CHAT)[-1].params["text"]
    )

    await harness.press_button(TECH_A, card(harness, number), "Đóng")
    await session.execute(
        update(Ticket).values(closed_at=utcnow() - timedelta(days=8)).where(Ticket.id == number)
    )
    await session.commit()
    late = await harness.send(RESIDENT_ID, "Tôi nộp rồi mà chưa thấy gì", reply_to=answer_msg)
    said = texts(late)
    assert "hơn 7 ngày" in said[0] and "Tôi nộp rồi" in said[1]  # nothing lost: a new draft
    assert (await ticket(session, number)).status is TicketStatus.CLOSED
    await harness.press_button(RESIDENT_ID, last_message(late), "Gửi")
    new = await session.scalar(select(Ticket).where(Ticket.id != number))
    assert new is not None and "Tôi nộp rồi" in new.summary


async def test_non_member_cannot_use_staff_buttons_or_answer(
    harness: BotHarness, session: AsyncSession, caplog: pytest.LogCaptureFixture
) -> None:
    await make_world(harness, session)
    number = await ask_private(harness, "Hỏi lịch họp tổ dân phố")
    staff_card = card(harness, number)
    caplog.set_level(logging.WARNING)
    for label in ("Nhận", "Spam", "Đóng"):
        pressed = await harness.press_button(OTHER_RESIDENT, staff_card, label)
        assert "không có quyền" in texts(pressed)[0]
    assert "refused ticket.take for user" in caplog.text
    replied = await harness.send(
        OTHER_RESIDENT,
        "trả lời bậy",
        chat_id=STAFF_CHAT,
        chat_type="supergroup",
        reply_to=staff_card["message_id"],
    )
    assert "không có quyền" in texts(replied)[0]
    assert not [
        c for c in harness.sandbox.calls_for("sendMessage", chat_id=RESIDENT_ID) if "bậy" in str(c)
    ]
    t = await ticket(session, number)
    assert t.status is TicketStatus.NEW and t.assignee_id is None


async def test_limits_and_spam_block(harness: BotHarness, session: AsyncSession) -> None:
    await make_world(harness, session)
    for i in range(5):
        await ask_private(harness, f"Câu hỏi số {i + 1} về đường ngõ")
    sixth = await harness.send(RESIDENT_ID, "/ask Câu hỏi thứ sáu")
    assert "5 câu hỏi chưa xong" in texts(sixth)[0]

    harness.settings.triage_max_messages_per_hour = 5
    sent_note = harness.sandbox.calls_for("editMessageText", chat_id=RESIDENT_ID)[-1].result
    too_many = await harness.send(RESIDENT_ID, "thêm nữa", reply_to=sent_note)
    assert "nhiều tin nhắn" in texts(too_many)[0]

    await harness.press_button(TECH_A, card(harness, 1), "Spam")
    t = await ticket(session, 1)
    assert t.status is TicketStatus.CLOSED and t.spam
    block = await session.scalar(select(AskBlock))
    assert block is not None and block.telegram_id == RESIDENT_ID
    assert await session.scalar(select(AuditEntry).where(AuditEntry.action == "ticket.spam"))
    blocked = await harness.send(RESIDENT_ID, "/ask lại nữa")
    assert "tạm thời không thể" in texts(blocked)[0]


async def test_queue_stats_and_faq(harness: BotHarness, session: AsyncSession) -> None:
    await make_world(harness, session)
    first = await ask_private(harness, "Làm giấy khai sinh cho con cần những giấy tờ gì?")
    second = await ask_private(harness, "Hỏi về đường điện ngõ 7")
    await harness.press_button(TECH_A, card(harness, second), "Nhận")
    queue = texts(await harness.send(TECH_A, "/queue"))[0]
    assert f"#{first}" in queue.split("Của tôi")[0] and f"#{second}" in queue.split("Của tôi")[1]
    assert "không có quyền" in texts(await harness.send(RESIDENT_ID, "/queue"))[0]

    await answer_by_reply(harness, first, "Cần giấy chứng sinh và CCCD của bố mẹ.")
    made = await harness.press_button(TECH_A, card(harness, first), "FAQ")
    assert any("nhắn riêng" in x for x in texts(made))
    await harness.send(TECH_A, "Làm giấy khai sinh cho con cần giấy tờ gì?")
    written = texts(await harness.send(TECH_A, "ok"))
    assert any("FAQ" in x for x in written)
    assert await session.scalar(select(func.count(FaqEntry.id))) == 1

    await residents.give_consent(session, OTHER_RESIDENT, "Chị Hoa", "vi")
    preview = last_message(
        await harness.send(OTHER_RESIDENT, "/ask Khai sinh cho con thì cần giấy tờ gì?")
    )
    assert "chứng sinh" in preview["text"]

    stats = texts(await harness.send(OFFICIAL_ID, "/triage_stats"))[0]
    assert "Câu hỏi trong 4 tuần qua: 2" in stats and "1 tốt" not in stats
    assert "không có quyền" in texts(await harness.send(TECH_A, "/triage_stats"))[0]


async def test_mydata_lists_questions_and_forget_deletes_them(
    harness: BotHarness, session: AsyncSession
) -> None:
    await make_world(harness, session)
    number = await ask_private(harness, "Hỏi về giờ mở cửa nhà văn hóa")
    data = await residents.my_data(session, RESIDENT_ID)
    assert [q["number"] for q in data["questions"]] == [number]
    assert await erasure.forget(session, RESIDENT_ID, b"salt")
    session.expire_all()
    assert await session.scalar(select(func.count(Ticket.id))) == 0
    assert await session.scalar(select(func.count(TicketMessage.id))) == 0
