"""Review: a correction is never a way for one official to send a text alone."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from broadcasts import audience, outbox
from models import Notice, NoticeStatus
from sandbox import Sandbox
from tests.delivery_kit import deliver, group_chats, notice, rows
from tests.harness import ADMIN_ID, OFFICIAL_ID, BotHarness, texts
from tests.notices.announce_kit import ward_with_official
from tests.security.kit import (
    cards_for,
    correct_from_status,
    delivered_ward_notice,
    fresh,
    pending_ward_notice,
)


async def test_an_administrator_cannot_rewrite_a_pending_notice_and_approve_it_himself(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    await ward_with_official(session)
    n = await pending_ward_notice(harness, session, "Cắt điện thứ Ba từ 7h đến 9h.")
    fake = "Giả mạo: mỗi hộ nộp 500.000đ vào tài khoản 0123."
    out = await correct_from_status(harness, ADMIN_ID, n.id, fake)
    assert any("chỉ người soạn" in t for t in out)  # he rejects it with a reason instead
    cards = [c for c in cards_for(sandbox, ADMIN_ID) if "Giả mạo" in c["text"]]
    pressed = []
    for card in cards:  # whatever card reached him, his own text is not his to approve
        pressed += texts(await harness.press_button(ADMIN_ID, card, "Duyệt"))
    n = await fresh(session, n.id)
    assert n.status is NoticeStatus.PENDING_APPROVAL or "Giả mạo" not in n.text
    assert await rows(session, n.id) == []
    await deliver(settings, sandbox, session_factory, None)
    for chat in await group_chats(session):
        sent = [c.params.get("text", "") for c in sandbox.calls_for("sendMessage", chat_id=chat)]
        assert not any("Giả mạo" in t for t in sent)


async def test_a_ward_wide_notice_sent_without_a_card_is_not_corrected_by_one_person(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    """A ward-wide notice queued by `loa broadcast`, and an event reminder of an approved
    notice (same audience, no approval record of its own): a correction of either reaches
    every household, so it waits for a second official like any ward-wide text."""
    ward_id = await ward_with_official(session)
    cli = await notice(session, ward_id, "Lịch tiêm chủng tháng 12 tại trạm y tế.")
    reminder = Notice(ward_id=ward_id, text="Nhắc: họp tổ tối nay.", kind="reminder",
                      audience=audience.spec("ward"), parent_id=cli.id)  # fmt: skip
    session.add(reminder)
    reminder, _ = await outbox.enqueue(session, ward_id=ward_id, text=reminder.text,
                                       audience=reminder.audience, notice=reminder)  # fmt: skip
    ids = [cli.id, reminder.id]
    await deliver(settings, sandbox, session_factory, set(ids))
    before = len(sandbox.calls)
    for notice_id in ids:
        await correct_from_status(harness, ADMIN_ID, notice_id, "Giả mạo: nộp tiền vào TK 0123.")
        n = await fresh(session, notice_id)
        assert "Giả mạo" not in n.text
    await deliver(settings, sandbox, session_factory, None)
    chats = await group_chats(session)
    edited = [c.params.get("text", "") for c in sandbox.calls[before:]
              if c.method == "editMessageText" and c.chat_id in chats]  # fmt: skip
    assert not any("Giả mạo" in t for t in edited)
    assert cards_for(sandbox, OFFICIAL_ID)  # the other official decides


async def test_the_reviewer_sees_every_word_of_a_long_correction_before_approving(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    """The side-by-side card clips each side at 1800 characters: what followed the clip went
    to every household on an approval given without seeing it."""
    await ward_with_official(session)
    n = await delivered_ward_notice(harness, session, session_factory, settings,
                                    "Họp tổ lúc 19h thứ Bảy.")  # fmt: skip
    benign = "Họp tổ lúc 19h thứ Bảy tại nhà văn hoá. " * 50  # ~2000 characters
    hidden = "Giả mạo: mỗi hộ nộp 500.000đ vào tài khoản 0123."
    before = len(sandbox.calls)
    await correct_from_status(harness, OFFICIAL_ID, n.id, benign + hidden)
    seen = [c.params.get("text", "") for c in sandbox.calls[before:]
            if c.method == "sendMessage" and c.chat_id == ADMIN_ID]  # fmt: skip
    assert any("Giả mạo" in t for t in seen)
