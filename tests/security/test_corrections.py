"""Finding 1: a correction never walks around the second official's approval."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from models import DeliveryOp, DeliveryStatus, Notice, NoticeStatus
from sandbox import Sandbox
from tests.delivery_kit import deliver, group_chats, rows
from tests.harness import ADMIN_ID, OFFICIAL_ID, BotHarness, texts
from tests.notices.announce_kit import ward_with_official
from tests.security.kit import (
    actions,
    cards_for,
    correct_from_status,
    delivered_ward_notice,
    pending_ward_notice,
)


async def test_correction_while_pending_voids_the_old_card_and_goes_back_to_review(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    await ward_with_official(session)
    n: Notice | None
    n = await pending_ward_notice(harness, session, "Cắt nước ngày mai từ 8h đến 11h.")
    old_card = cards_for(sandbox, ADMIN_ID)[-1]

    out = await correct_from_status(harness, OFFICIAL_ID, n.id, "Mai phát tiền hỗ trợ, mang CCCD.")
    assert any("chờ duyệt" in t for t in out)
    voided = [c for c in sandbox.calls_for("editMessageText", chat_id=ADMIN_ID)
              if c.params.get("message_id") == old_card["message_id"]]  # fmt: skip
    assert voided and "không còn hiệu lực" in voided[-1].params["text"]

    stale = texts(await harness.press_button(ADMIN_ID, old_card, "Duyệt"))
    assert "đã được sửa" in stale[-1]
    n = await session.get(Notice, n.id, populate_existing=True)
    assert n is not None and n.status is NoticeStatus.PENDING_APPROVAL
    assert await rows(session, n.id) == []  # nothing went out on the stale card

    new_card = cards_for(sandbox, ADMIN_ID)[-1]
    assert new_card["message_id"] != old_card["message_id"]
    assert "Cắt nước" in new_card["text"] and "phát tiền" in new_card["text"]  # side by side
    await harness.press_button(ADMIN_ID, new_card, "Duyệt")
    await deliver(settings, sandbox, session_factory, {n.id})
    for chat in await group_chats(session):
        sent = [c.params["text"] for c in sandbox.calls_for("sendMessage", chat_id=chat) if c.ok]
        assert len(sent) == 1 and "phát tiền" in sent[0]
    assert "notice.resubmitted" in await actions(session, f"notice:{n.id}")


async def test_correction_of_an_approved_notice_waits_for_a_second_official(
    harness: BotHarness,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    await ward_with_official(session)
    n: Notice | None
    n = await delivered_ward_notice(
        harness, session, session_factory, settings, "Họp tổ lúc 19h thứ Bảy."
    )
    edits_before = sandbox.count("editMessageText")

    fake = "Giả mạo: nộp tiền vào tài khoản X."
    out = await correct_from_status(harness, OFFICIAL_ID, n.id, fake)
    assert any("chờ duyệt" in t for t in out)
    n = await session.get(Notice, n.id, populate_existing=True)
    assert n is not None and n.text.startswith("Họp tổ") and n.version == 1
    assert all(r.op is DeliveryOp.SEND and r.status is DeliveryStatus.SENT
               for r in await rows(session, n.id))  # fmt: skip
    card = cards_for(sandbox, ADMIN_ID)[-1]
    assert "Họp tổ lúc 19h" in card["text"] and "Giả mạo" in card["text"]
    own = texts(await harness.press_button(OFFICIAL_ID, card, "Duyệt"))
    assert "không thể tự duyệt" in own[-1]

    await harness.press_button(ADMIN_ID, card, "Từ chối")
    await harness.send(ADMIN_ID, "Nội dung lạ, gọi lại cho người soạn")
    n = await session.get(Notice, n.id, populate_existing=True)
    assert n is not None and n.text.startswith("Họp tổ") and n.pending_text is None
    await deliver(settings, sandbox, session_factory, None)
    group_edits = [c for c in sandbox.calls[edits_before:] if c.method == "editMessageText"
                   and c.chat_id in await group_chats(session)]  # fmt: skip
    assert group_edits == []

    await correct_from_status(harness, OFFICIAL_ID, n.id, "Họp tổ lúc 20h thứ Bảy.")
    await harness.press_button(ADMIN_ID, cards_for(sandbox, ADMIN_ID)[-1], "Duyệt")
    n = await session.get(Notice, n.id, populate_existing=True)
    assert n is not None and n.text == "Họp tổ lúc 20h thứ Bảy." and n.version == 2
    await deliver(settings, sandbox, session_factory, None)
    for chat in await group_chats(session):
        edited = [c.params["text"] for c in sandbox.calls_for("editMessageText", chat_id=chat)]
        assert edited and "20h" in edited[-1]
    done = set(await actions(session, f"notice:{n.id}"))
    assert {"notice.correction_proposed", "notice.correction_rejected",
            "notice.correction_approved"} <= done  # fmt: skip
