"""Garbled or forged button data and oversized or invisible questions get a clear, specific
answer; nothing is cut silently and nothing is written."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.triage.tickets import MAX_TEXT
from models import Resident, Ticket, TicketMessage
from tests.harness import GROUP_CHAT, RESIDENT_ID, BotHarness, last_message, texts
from tests.triage.triage_world import make_world

GENERIC = "gặp sự cố"
STALE = "Nút này không còn dùng được"


async def tickets_count(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(Ticket)) or 0


GARBLED = [
    "pv:l:xx",
    "j:l:0:0:zz",
    "j:g:99999999999999999999",
    "nm:x:1",
    "nv:9223372036854775808",
    "ack:99999999999",
    "att:-1",
    "rv:r:999999999999999999999999",
    "rv:ok:99999999999",
    "tk:zz:1",
    "rt:1:7",
    "g:zz",
    "aq:nope",
    "nonsense",
    "",
]


async def test_garbled_button_data_gets_a_clear_answer(
    harness: BotHarness, session: AsyncSession
) -> None:
    await make_world(harness, session)
    shown = last_message(await harness.send(RESIDENT_ID, "/language"))
    for data in GARBLED:
        calls = await harness.press(RESIDENT_ID, shown, data)
        answers = [c for c in calls if c.method == "answerCallbackQuery"]
        assert len(answers) == 1, (data, [c.method for c in calls])
        said = texts(calls)
        assert any(STALE in t for t in said) and not any(GENERIC in t for t in said), (data, said)
    session.expire_all()
    resident = await session.scalar(select(Resident).where(Resident.telegram_id == RESIDENT_ID))
    assert resident is not None and resident.language == "vi"


async def test_in_range_but_unknown_ids_are_named(
    harness: BotHarness, session: AsyncSession
) -> None:
    await make_world(harness, session)
    shown = last_message(await harness.send(RESIDENT_ID, "/language"))
    said = texts(await harness.press(RESIDENT_ID, shown, "nv:2147483647"))
    assert said and not any(GENERIC in t for t in said), said


async def test_too_long_question_is_refused_with_its_length(
    harness: BotHarness, session: AsyncSession
) -> None:
    await make_world(harness, session)
    long = "Nhà tôi " + "x" * MAX_TEXT
    said = texts(await harness.send(RESIDENT_ID, f"/ask {long}"))
    assert any(str(len(long)) in t and str(MAX_TEXT) in t for t in said), said
    assert not any(GENERIC in t for t in said)
    assert await tickets_count(session) == 0
    # Written in parts: the part that goes over is refused; the draft so far is kept whole.
    await harness.send(RESIDENT_ID, "/ask")
    first = "Xin hỏi về giấy tờ nhà. " * 100
    await harness.send(RESIDENT_ID, first)
    refused = texts(await harness.send(RESIDENT_ID, "y" * 1500))
    assert any(str(MAX_TEXT) in t for t in refused), refused
    preview = last_message(await harness.send(RESIDENT_ID, "Cảm ơn."))
    sent = await harness.press_button(RESIDENT_ID, preview, "Gửi")
    assert any("#" in t for t in texts(sent)), texts(sent)
    stored = await session.scalar(select(TicketMessage.text))
    assert stored == first.strip() + "\nCảm ơn."


async def test_invisible_question_is_empty(harness: BotHarness, session: AsyncSession) -> None:
    await make_world(harness, session)
    blank = "\u200b\u200c\u200d\u2060\ufeff\u3164 \u00a0"
    prompt = texts(await harness.send(RESIDENT_ID, f"/ask {blank}"))
    assert any("Hãy viết câu hỏi" in t for t in prompt), prompt  # asked to write one
    empty = texts(await harness.send(RESIDENT_ID, blank))
    assert any("Câu hỏi đang trống" in t for t in empty), empty
    group = texts(
        await harness.send(RESIDENT_ID, f"/ask {blank}", chat_id=GROUP_CHAT, chat_type="group")
    )
    assert group and not any(GENERIC in t for t in group), group
    assert await tickets_count(session) == 0


async def test_nul_in_text_is_dropped_not_a_database_error(
    harness: BotHarness, session: AsyncSession
) -> None:
    """PostgreSQL refuses U+0000; a forged update with one must still get a normal answer."""
    await make_world(harness, session)
    for text in ("khai\x00 sinh", "/ask mất\x00 nước ở đâu", "\x00"):
        said = texts(await harness.send(RESIDENT_ID, text))
        assert said and not any(GENERIC in t for t in said), (text, said)


async def test_a_button_under_a_message_telegram_no_longer_shows_is_stale(
    harness: BotHarness, session: AsyncSession
) -> None:
    """Past 48 hours Telegram sends the message under a button as an InaccessibleMessage
    (date 0, no text): the press is told the button no longer works, and nothing changes."""
    await make_world(harness, session)
    shown = last_message(await harness.send(RESIDENT_ID, "/language"))
    english = shown["reply_markup"]["inline_keyboard"][1][0]["callback_data"]
    update = harness.sandbox.make_callback(RESIDENT_ID, None, shown["message_id"], english)
    update["callback_query"]["message"] = {
        "message_id": shown["message_id"],
        "chat": shown["chat"],
        "date": 0,
    }
    calls = await harness.feed(update)
    said = texts(calls)
    assert any(STALE in t for t in said) and not any(GENERIC in t for t in said), said
    assert not [c for c in calls if c.method == "editMessageText"]
    session.expire_all()
    resident = await session.scalar(select(Resident).where(Resident.telegram_id == RESIDENT_ID))
    assert resident is not None and resident.language == "vi"
