"""Abuse limits outlive /forget (finding 4); FAQ written by staff (2); /gaps bounded (6)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services.directory import residents
from bot.services.procedures import core as procedures
from bot.services.procedures.gaps import GapLimits
from handlers.triage.views import TicketAction, TicketCb
from models import AbuseMark, AskBlock, FaqEntry, SearchGap, Ticket
from tests.harness import RESIDENT_ID, BotHarness, last_message, texts
from tests.privacy.kit import answer_by_reply, consent_and_pick_group
from tests.triage.triage_world import TECH_A, ask_private, card, make_world

NEIGHBOUR = 200_000_066


async def _forget_and_rejoin(harness: BotHarness) -> None:
    confirm = last_message(await harness.send(RESIDENT_ID, "/forget"))
    await harness.press_button(RESIDENT_ID, confirm, "Xóa dữ liệu")
    households = await consent_and_pick_group(harness, RESIDENT_ID)
    first = households["reply_markup"]["inline_keyboard"][0][0]["text"]
    await harness.press_button(RESIDENT_ID, households, first)


async def test_question_limit_survives_forget(
    harness: BotHarness, session: AsyncSession, settings: Settings
) -> None:
    await make_world(harness, session)
    for n in range(settings.triage_max_open):
        await ask_private(harness, f"Câu hỏi số {n} về đường điện")
    refused = texts(await harness.send(RESIDENT_ID, "/ask Thêm một câu nữa"))[0]
    assert "chưa xong" in refused
    await _forget_and_rejoin(harness)
    assert await session.scalar(select(func.count(Ticket.id))) == 0
    again = texts(await harness.send(RESIDENT_ID, "/ask Câu hỏi sau khi xóa"))[0]
    assert "chưa xong" in again
    marks = list(await session.scalars(select(AbuseMark)))
    assert len(marks) == settings.triage_max_open + settings.triage_max_open  # questions + msgs
    assert all(str(RESIDENT_ID) not in m.subject for m in marks)
    assert await session.scalar(select(func.count(Ticket.id))) == 0  # nothing reached staff


async def test_spam_block_survives_forget(harness: BotHarness, session: AsyncSession) -> None:
    await make_world(harness, session)
    number = await ask_private(harness, "Quảng cáo bán hàng")
    await harness.press_button(TECH_A, card(harness, number), "Spam")
    await _forget_and_rejoin(harness)
    session.expire_all()
    block = (await session.scalars(select(AskBlock))).one()
    assert block.telegram_id is None and block.subject
    assert "tạm thời không thể" in texts(await harness.send(RESIDENT_ID, "/ask Lại đây"))[0]


async def test_faq_shows_staff_words_never_the_residents(
    harness: BotHarness, session: AsyncSession
) -> None:
    await make_world(harness, session)
    number = await ask_private(
        harness, "Tôi là Lan, số 0987654321, làm giấy khai sinh cho cháu cần giấy tờ gì?"
    )
    await answer_by_reply(harness, number, "Cần giấy chứng sinh và căn cước của bố mẹ.")
    pressed = texts(await harness.press_button(TECH_A, card(harness, number), "FAQ"))
    assert any("nhắn riêng" in t for t in pressed)
    prompt = harness.sandbox.calls_for("sendMessage", chat_id=TECH_A)[-1].params["text"]
    assert "giấy chứng sinh" in prompt and "0987654321" not in prompt  # the answer, prefilled
    await harness.send(TECH_A, "Làm giấy khai sinh cần giấy tờ gì?")
    await harness.send(TECH_A, "ok")  # the answer is already in general words
    entry = (await session.scalars(select(FaqEntry))).one()
    assert entry.question == "Làm giấy khai sinh cần giấy tờ gì?"

    await residents.give_consent(session, NEIGHBOUR, "Chị Hoa", "vi")
    preview = last_message(
        await harness.send(NEIGHBOUR, "/ask Khai sinh cho con thì cần giấy tờ gì?")
    )["text"]
    assert "giấy chứng sinh" in preview
    assert "0987654321" not in preview and "Lan" not in preview


async def test_resident_cannot_write_faq(harness: BotHarness, session: AsyncSession) -> None:
    await make_world(harness, session)
    number = await ask_private(harness, "Hỏi giờ làm việc")
    forged = TicketCb(action=TicketAction.FAQ, id=number).pack()
    refused = texts(await harness.press(RESIDENT_ID, card(harness, number), forged))
    assert any("không có quyền" in t for t in refused), refused
    assert await session.scalar(select(func.count(FaqEntry.id))) == 0


async def test_gaps_are_deduplicated_and_capped(session: AsyncSession) -> None:
    limits = GapLimits(per_source=3, per_day=5)
    for _ in range(4):  # the same search from the same person counts once
        await procedures.search(session, "xyzzy quux", subject="a" * 32, limits=limits)
    for n in range(10):  # one person cannot fill the report
        await procedures.search(session, f"plugh {n} frob", subject="b" * 32, limits=limits)
    for n in range(10):  # nor the whole world in one day
        await procedures.search(session, f"zork {n} grue", subject=f"{n:032d}", limits=limits)
    rows = list(await session.scalars(select(SearchGap).order_by(SearchGap.id)))
    assert [r.subject for r in rows][:4] == ["a" * 32, "b" * 32, "b" * 32, "b" * 32]
    assert len(rows) == 5


async def test_gaps_from_the_bot_limited_per_person(
    harness: BotHarness, session: AsyncSession, settings: Settings
) -> None:
    await make_world(harness, session)
    for n in range(settings.gaps_per_source_per_day + 5):
        await harness.send(RESIDENT_ID, f"xyzzy {n} quux")
    await harness.send(RESIDENT_ID, "xyzzy 0 quux")
    count = await session.scalar(select(func.count(SearchGap.id)))
    assert count == settings.gaps_per_source_per_day
