"""Procedure guides through the real dispatcher: browse, search, cards, deep links, inline."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from aiogram.fsm.state import State, StatesGroup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.procedures import core as procedures
from bot.services.procedures.guides import Guide
from handlers.procedures.cards import split_message
from models import ProcedureScan, SearchGap
from tests.harness import ADMIN_ID, RESIDENT_ID, BotHarness, last_message, texts


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for row in message["reply_markup"]["inline_keyboard"] for b in row]


async def test_browse_field_list_card_and_cases(harness: BotHarness, catalog: list[Guide]) -> None:
    fields = last_message(await harness.send(RESIDENT_ID, "/thutuc"))
    assert "Thủ tục hành chính" in fields["text"]
    assert any(b["text"].startswith("Hộ tịch") for b in buttons(fields))
    listing = last_message(await harness.press_button(RESIDENT_ID, fields, "Hộ tịch"))
    assert "Hộ tịch" in listing["text"]
    assert any("Sau" in b["text"] for b in buttons(listing))  # 16 guides: two pages
    card = last_message(
        await harness.press_button(RESIDENT_ID, listing, "Thủ tục đăng ký khai sinh")
    )
    text = card["text"]
    assert "Thủ tục đăng ký khai sinh" in text and "1.001193" in text
    assert "Giấy tờ cần chuẩn bị" in text and "Giấy chứng sinh" in text
    assert "Lệ phí" in text and "Thời gian giải quyết" in text and "Nơi nộp" in text
    assert "Lưu ý" in text  # the check-at-counter note stays visible
    by_text = {b["text"]: b for b in buttons(card)}
    # short case buttons a phone shows whole; the card keeps the full wording
    assert "✅ Trong 60 ngày từ ngày sinh" in by_text
    assert all(len(t) <= 34 for t in by_text if not t.startswith(("🌐", "🖨", "❓", "◀")))
    assert "Đăng ký đúng hạn (trong 60 ngày kể từ ngày sinh)" in text
    # nobody has checked the facts: it says so, and where each fact comes from
    assert "Chưa được cán bộ xác minh — hãy hỏi tại Trung tâm Phục vụ hành chính công" in text
    assert "01/11/2026" not in text and "Thông tin kiểm tra ngày" not in text
    assert "Lệ phí: Luật Hộ tịch 2014, Điều 11" in text
    assert by_text["❓ Hỏi về thủ tục này"]["callback_data"] == "ask:1.001193"
    assert "ma_thu_tuc=1.001193" in by_text["🌐 Cổng Dịch vụ công"]["url"]
    assert by_text["🖨 Trang web để xem, in"]["url"].endswith("/p/1.001193")

    late = last_message(await harness.press_button(RESIDENT_ID, card, "Quá 60 ngày từ ngày sinh"))
    assert "Trường hợp của bạn:</b>" not in late["text"]  # entities parsed, text is plain
    assert "Đăng ký quá hạn (sau 60 ngày" in late["text"]
    assert any(b["text"] == "✅ Quá 60 ngày từ ngày sinh" for b in buttons(late))
    back = last_message(await harness.press_button(RESIDENT_ID, late, "Danh sách"))
    assert "Hộ tịch" in back["text"]


async def test_english_card(harness: BotHarness, catalog: list[Guide]) -> None:
    calls = await harness.send(RESIDENT_ID, "birth certificate for my baby", language_code="en")
    card = last_message(calls)
    assert card["text"].startswith("📋 Birth registration")
    assert "Documents to bring" in card["text"]
    assert any(b["text"] == "❓ Ask about this" for b in buttons(card))


async def test_free_text_search_opens_the_card(harness: BotHarness, catalog: list[Guide]) -> None:
    card = last_message(await harness.send(RESIDENT_ID, "lam giay khai sinh cho con"))
    assert card["text"].startswith("📋 Thủ tục đăng ký khai sinh")
    choice = last_message(await harness.send(RESIDENT_ID, "sổ hộ khẩu"))
    assert "Kết quả cho «sổ hộ khẩu»" in choice["text"] or choice["text"].startswith("📋")


async def test_close_results_offer_a_choice(harness: BotHarness, catalog: list[Guide]) -> None:
    listing = last_message(await harness.send(RESIDENT_ID, "khai sinh"))
    assert "Kết quả cho «khai sinh»" in listing["text"]
    assert buttons(listing)[0]["text"] == "Thủ tục đăng ký khai sinh"
    card = last_message(await harness.press_button(RESIDENT_ID, listing, "đăng ký khai sinh"))
    assert "Giấy chứng sinh" in card["text"]


async def test_gap_is_recorded_and_shown_to_officials(
    harness: BotHarness, session: AsyncSession, catalog: list[Guide]
) -> None:
    for who in (RESIDENT_ID, RESIDENT_ID, RESIDENT_ID + 1):  # the same person counts once
        reply = texts(await harness.send(who, "giá vàng hôm nay <b>"))
        assert "chưa tìm thấy thủ tục khớp với «giá vàng hôm nay &lt;b&gt;»" in reply[0]
    gap = await session.scalar(select(SearchGap))
    assert gap is not None and gap.query == "giá vàng hôm nay <b>" and gap.source == "bot"

    refused = texts(await harness.send(RESIDENT_ID, "/gaps"))
    assert "giá vàng" not in refused[0]
    shown = texts(await harness.send(ADMIN_ID, "/gaps"))[0]
    assert "«giá vàng hôm nay &lt;b&gt;» — 2 lần" in shown  # escaped: the sandbox parsed it


async def test_too_long_text(harness: BotHarness, catalog: list[Guide]) -> None:
    reply = texts(await harness.send(RESIDENT_ID, "khai sinh " * 40))
    assert "tối đa 200 ký tự" in reply[0]


async def test_text_inside_a_conversation_is_not_a_search(
    harness: BotHarness, catalog: list[Guide]
) -> None:
    class Other(StatesGroup):
        waiting = State()

    ctx = harness.dp.fsm.get_context(harness.bot, chat_id=RESIDENT_ID, user_id=RESIDENT_ID)
    await ctx.set_state(Other.waiting)
    reply = texts(await harness.send(RESIDENT_ID, "khai sinh"))
    assert "khai sinh" not in reply[0] and "Loa chưa hiểu" in reply[0]  # fallback, not search


async def test_deep_link_with_place_opens_the_guide_and_counts_the_scan(
    harness: BotHarness, session: AsyncSession, catalog: list[Guide]
) -> None:
    card = last_message(await harness.send(RESIDENT_ID, "/start p-1_004222-mot_cua"))
    assert card["text"].startswith("📋 Đăng ký thường trú")
    last_message(await harness.send(RESIDENT_ID, "/start p-1_004222-Bad.Tag"))
    last_message(await harness.send(RESIDENT_ID, "/start p-1.001193"))
    scans = list(await session.scalars(select(ProcedureScan).order_by(ProcedureScan.id)))
    assert [(s.code, s.place) for s in scans] == [
        ("1.004222", "mot_cua"),
        ("1.004222", None),
        ("1.001193", None),
    ]
    missing = texts(await harness.send(RESIDENT_ID, "/start p-9_999999"))
    assert "Không có thủ tục nào mã <code>9_999999</code>" in missing[0]
    welcome = texts(await harness.send(RESIDENT_ID, "/start"))
    assert "đồng ý" in welcome[0].lower() or "Loa" in welcome[0]  # plain /start still joins

    shown = texts(await harness.send(ADMIN_ID, "/scans"))[0]
    assert "mot_cua: Đăng ký thường trú — 1 lượt" in shown


async def test_thutuc_with_words_searches(harness: BotHarness, catalog: list[Guide]) -> None:
    card = last_message(await harness.send(RESIDENT_ID, "/thutuc đăng ký kết hôn"))
    assert card["text"].startswith("📋 Thủ tục đăng ký kết hôn")


async def test_inline_mode(harness: BotHarness, catalog: list[Guide]) -> None:
    calls = await harness.feed(harness.sandbox.make_inline_query(RESIDENT_ID, "khai sinh"))
    (answer,) = [c for c in calls if c.method == "answerInlineQuery"]
    assert answer.ok
    results = answer.params["results"]
    if isinstance(results, str):
        results = json.loads(results)
    assert results[0]["id"] == "1.001193"
    shared = results[0]["input_message_content"]["message_text"]
    assert "Giấy tờ cần chuẩn bị" in shared and len(shared) <= 4096
    urls = [b["url"] for row in results[0]["reply_markup"]["inline_keyboard"] for b in row]
    assert "https://t.me/loa_phuong_bot?start=p-1_001193" in urls

    empty = await harness.feed(harness.sandbox.make_inline_query(RESIDENT_ID, ""))
    (answer,) = [c for c in empty if c.method == "answerInlineQuery"]
    assert answer.ok


async def test_greetings_are_not_searches(
    harness: BotHarness, session: AsyncSession, catalog: list[Guide]
) -> None:
    for text in ("xin chào", "Cảm ơn ạ!", "ok"):
        reply = texts(await harness.send(RESIDENT_ID, text))
        assert "/help" in reply[0] and "làm giấy khai sinh cho con" in reply[0]
    assert await session.scalar(select(SearchGap)) is None


async def test_a_card_too_long_for_one_message_goes_in_parts(
    harness: BotHarness, session: AsyncSession, catalog: list[Guide]
) -> None:
    birth = next(g for g in catalog if g.code == "1.001193")
    case = birth.cases[0]
    many = tuple(
        dataclasses.replace(case.documents[0], name_vi=f"Giấy tờ số {n} " + "rất dài " * 12)
        for n in range(60)
    )
    long_guide = dataclasses.replace(
        birth, cases=(dataclasses.replace(case, documents=many), *birth.cases[1:])
    )
    others = [g for g in catalog if g.code != birth.code]
    await procedures.import_guides(session, [long_guide, *others])
    calls = await harness.send(RESIDENT_ID, "/start p-1_001193")
    sent = [c for c in calls if c.method == "sendMessage" and c.ok]
    assert len(sent) >= 2 and all(len(c.result["text"]) <= 4096 for c in sent)
    assert "reply_markup" not in sent[0].result and "reply_markup" in sent[-1].result
    assert "Giấy tờ số 0 " in sent[0].result["text"] and "Lệ phí" in sent[-1].result["text"]


def test_split_message_keeps_sections_and_lines() -> None:
    text = "\n\n".join(["a" * 3000, "b" * 3000, "\n".join(["c" * 1000] * 6)])
    parts = split_message(text)
    assert [len(p) for p in parts] == [3000, 4002, 4003, 1000]
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")
    assert split_message("short") == ["short"]
