"""Corrections, cancels, long texts, captions and media through the engine and the sandbox."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from broadcasts import audience, outbox
from models import DeliveryStatus, Urgency
from sandbox import Sandbox
from tests.delivery_kit import deliver, group_chats, notice, rows, ward

LONG = "\n\n".join(
    f"Đoạn {i}: " + "Bà con mang theo căn cước và thẻ bảo hiểm. " * 12 for i in range(12)
)


async def test_long_text_is_split_at_paragraphs(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    ward_id = await ward(session, groups=2, households=0)
    assert len(LONG) > 4096
    n = await notice(session, ward_id, LONG)
    await deliver(settings, sandbox, session_factory, {n.id})
    chat = (await group_chats(session))[0]
    texts = [c.params["text"] for c in sandbox.calls_for("sendMessage", chat_id=chat)]
    assert len(texts) == 2 and all(len(t) <= 4096 for t in texts)
    assert texts[0].startswith("<b>📢 THÔNG BÁO — Ủy ban nhân dân Phường Test</b>")
    assert "(tiếp theo)" in texts[1]
    assert texts[1].split("\n", 1)[1].startswith("Đoạn ")  # a paragraph starts the next part
    assert all(len(d.message_ids) == 2 for d in await rows(session, n.id))


async def test_photo_uploaded_once_and_long_caption_continues(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    ward_id = await ward(session, groups=3, households=0)
    caption = "Giấy mời họp tổ. " * 100  # 1,700 characters: more than a caption holds
    n, _ = await outbox.enqueue(
        session,
        ward_id=ward_id,
        text=caption,
        audience=audience.spec("ward"),
        media=("photo", "giaymoi.png", b"\x89PNG fake image"),
    )
    await deliver(settings, sandbox, session_factory, {n.id})
    photos = sandbox.calls_for("sendPhoto")
    assert len(photos) == 3 and sandbox.stats["uploads"] == 1
    assert sum(isinstance(c.params["photo"], str) for c in photos) == 2  # re-sent by file_id
    assert all(len(c.params["caption"]) <= 1024 for c in photos)
    assert len(sandbox.calls_for("sendMessage")) == 3  # the rest of the caption, as text


async def test_correction_edits_every_copy_and_cancel_marks_them(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    ward_id = await ward(session, groups=2, households=2)
    n = await notice(session, ward_id, "Họp tổ lúc 19h", Urgency.URGENT)
    await deliver(settings, sandbox, session_factory, {n.id})
    await outbox.correct(session, n.id, "Họp tổ lúc 19h30 (đổi giờ)", actor_id=1)
    await session.execute(select(1))
    await deliver(settings, sandbox, session_factory, None)
    edits = sandbox.calls_for("editMessageText")
    assert len(edits) == 4 and all("ĐÍNH CHÍNH" in c.params["text"] for c in edits)
    assert all("19h30" in c.params["text"] for c in edits)
    assert {d.version_sent for d in await rows(session, n.id)} == {2}

    await outbox.cancel(session, n.id, actor_id=1)
    await deliver(settings, sandbox, session_factory, None)
    cancels = sandbox.calls_for("editMessageText")[4:]
    assert len(cancels) == 4 and all("ĐÃ HỦY" in c.params["text"] for c in cancels)
    assert all("<s>" in c.params["text"] for c in cancels)
    assert {d.status for d in await rows(session, n.id)} == {DeliveryStatus.CANCELLED}


async def test_cancel_before_sending_and_delete_mode(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    sandbox: Sandbox,
) -> None:
    ward_id = await ward(session, groups=2, households=0)
    unsent = await notice(session, ward_id, "Cắt điện sáng mai")
    await outbox.cancel(session, unsent.id, actor_id=1)
    sent = await notice(session, ward_id, "Dọn vệ sinh ngõ")
    await deliver(settings, sandbox, session_factory, {sent.id, unsent.id})
    assert {d.status for d in await rows(session, unsent.id)} == {DeliveryStatus.CANCELLED}
    assert len(sandbox.calls_for("sendMessage")) == 2  # only the second notice went out
    await outbox.cancel(session, sent.id, actor_id=1, mode="delete")
    await deliver(settings, sandbox, session_factory, None)
    assert len(sandbox.calls_for("deleteMessage")) == 2
    assert {d.status for d in await rows(session, sent.id)} == {DeliveryStatus.CANCELLED}
