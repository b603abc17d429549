"""Review: what one resident typed is never shown to another, nor kept alive by them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory import residents
from bot.services.directory.seed import seed_sample
from handlers.directory.start import JoinAction, JoinCb
from models import FaqEntry, Household, Resident, SearchGap
from tests.harness import RESIDENT_ID, BotHarness, last_message, texts
from tests.privacy.kit import answer_by_reply, consent_and_pick_group
from tests.triage.triage_world import STAFF_CHAT, TECH_A, ask_private, card, make_world

NEIGHBOUR = 200_000_156
STRANGER = 200_000_155


async def test_a_forged_household_press_cannot_join_an_address_someone_else_typed(
    harness: BotHarness, session: AsyncSession
) -> None:
    """Household ids are sequential: a consented resident presses "h:<id>" for each and is
    told every address other residents typed; joining one also keeps it past its owner's
    /forget ("goes when nobody else lives there")."""
    await seed_sample(session)
    picker = await consent_and_pick_group(harness, NEIGHBOUR)
    await harness.press_button(NEIGHBOUR, picker, "Nhập địa chỉ")
    await harness.send(NEIGHBOUR, "77 ngõ Nhà Riêng")
    typed = (await session.scalars(select(Household).where(Household.house_number == "77"))).one()

    picker = await consent_and_pick_group(harness, STRANGER)
    forged = JoinCb(action=JoinAction.HOUSEHOLD, id=typed.id, page=typed.group_id).pack()
    shown = texts(await harness.press(STRANGER, picker, forged))
    assert not any("Nhà Riêng" in t for t in shown)
    stranger = await session.scalar(select(Resident).where(Resident.telegram_id == STRANGER))
    assert stranger is not None and stranger.household_id != typed.id

    welcome = last_message(await harness.send(NEIGHBOUR, "/forget"))
    await harness.press_button(NEIGHBOUR, welcome, "Xóa dữ liệu")
    assert await session.get(Household, typed.id, populate_existing=True) is None


async def test_an_faq_answer_addressed_to_the_asker_is_rewritten_before_others_read_it(
    harness: BotHarness, session: AsyncSession
) -> None:
    """The FAQ kept the answer given to the resident word for word ("Chào anh Bình…", a
    phone number to call back) and showed it to the next asker; it also outlived /forget."""
    await make_world(harness, session)
    number = await ask_private(harness, "Làm giấy khai sinh cho con cần giấy tờ gì?")
    await answer_by_reply(harness, number, "Chào anh Bình ở số 99 ngõ Riêng Tư: cần giấy "
                          "chứng sinh, em gọi lại anh số 0912345678 nhé.")  # fmt: skip
    await harness.press_button(TECH_A, card(harness, number), "FAQ")
    await harness.send(TECH_A, "Làm giấy khai sinh cần giấy tờ gì?")
    asked = texts(await harness.send(TECH_A, "Cần giấy chứng sinh và căn cước của bố mẹ."))
    assert any("FAQ" in t for t in asked)
    entry = (await session.scalars(select(FaqEntry))).one()
    assert "Bình" not in entry.answer and "0912345678" not in entry.answer

    await residents.give_consent(session, NEIGHBOUR, "Chị Hoa", "vi")
    preview = last_message(
        await harness.send(NEIGHBOUR, "/ask Khai sinh cho con thì cần giấy tờ gì?")
    )["text"]
    assert "chứng sinh" in preview and "Bình" not in preview and "0912345678" not in preview


async def test_someone_who_only_searched_can_erase_what_they_typed(
    harness: BotHarness, session: AsyncSession
) -> None:
    """A search nobody could answer is kept (with its words) under the person's pseudonym;
    /forget said "nothing stored" to someone who had only searched, and kept it."""
    await seed_sample(session)
    await harness.send(STRANGER, "0912345678 xyzzy quux")
    assert await session.scalar(select(SearchGap.id).where(SearchGap.query.contains("0912")))
    confirm = last_message(await harness.send(STRANGER, "/forget"))
    assert "Đã xóa" in texts(await harness.press_button(STRANGER, confirm, "Xóa dữ liệu"))[0]
    session.expire_all()
    left = select(SearchGap.id).where(SearchGap.query.contains("0912"))
    assert await session.scalar(left) is None


async def test_forget_also_clears_the_teams_copies_of_the_question_in_telegram(
    harness: BotHarness, session: AsyncSession
) -> None:
    """The rows went, but the card in the staff group (name, address, the question with a
    phone number) stayed in Telegram for as long as the group exists."""
    await make_world(harness, session)
    number = await ask_private(harness, "Gọi lại cho tôi số 0912345678 về sổ đỏ")
    await harness.send(RESIDENT_ID, "Thêm: nhà tôi ở ngõ 7")  # a follow-up, relayed
    assert "0912345678" in card(harness, number)["text"]
    confirm = last_message(await harness.send(RESIDENT_ID, "/forget"))
    await harness.press_button(RESIDENT_ID, confirm, "Xóa dữ liệu")
    left = [m.get("text", "") + m.get("caption", "")
            for m in harness.sandbox.chat_messages(STAFF_CHAT)]  # fmt: skip
    assert not any("0912345678" in t or "Bà Lan" in t or "ngõ 7" in t for t in left), left
