"""What the attack tests share: an approved ward notice, approval cards, audit lookups."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from models import AuditEntry, Notice
from sandbox import Sandbox
from tests.delivery_kit import deliver
from tests.harness import ADMIN_ID, OFFICIAL_ID, BotHarness, last_message, texts
from tests.notices.announce_kit import Composer, notice_row


def cards_for(sandbox: Sandbox, chat_id: int) -> list[dict[str, Any]]:
    """Approval cards (of notices or of corrections) this person received, oldest first."""
    return [c.result for c in sandbox.calls_for("sendMessage", chat_id=chat_id)
            if c.ok and "chờ duyệt" in c.params.get("text", "")]  # fmt: skip


async def pending_ward_notice(h: BotHarness, session: AsyncSession, text: str) -> Notice:
    """A ward-wide notice by the official, submitted and waiting for approval."""
    c = Composer(h)
    await c.notice(text)
    await c.tap("Gửi để duyệt")
    return await notice_row(session)


async def delivered_ward_notice(
    h: BotHarness,
    session: AsyncSession,
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    text: str,
) -> Notice:
    """A ward-wide notice by the official, approved by the administrator and delivered."""
    n = await pending_ward_notice(h, session, text)
    await h.press_button(ADMIN_ID, cards_for(h.sandbox, ADMIN_ID)[-1], "Duyệt")
    await deliver(settings, h.sandbox, factory, {n.id})
    return n


async def correct_from_status(h: BotHarness, user: int, notice_id: int, text: str) -> list[str]:
    """/notice N → "Đính chính" → new text → "Gửi đính chính"; the texts of that last press."""
    status = last_message(await h.send(user, f"/notice {notice_id}"))
    ask = await h.press_button(user, status, "Đính chính")
    assert "nội dung mới" in texts(ask)[-1]
    preview = last_message(await h.send(user, text))
    return texts(await h.press_button(user, preview, "Gửi đính chính"))


async def fresh(session: AsyncSession, notice_id: int) -> Notice:
    notice = await session.get(Notice, notice_id, populate_existing=True)
    assert notice is not None
    return notice


async def actions(session: AsyncSession, target: str) -> list[str]:
    stmt = select(AuditEntry.action).where(AuditEntry.target == target).order_by(AuditEntry.id)
    return list(await session.scalars(stmt))


__all__ = ["ADMIN_ID", "OFFICIAL_ID", "actions", "cards_for", "correct_from_status",
           "delivered_ward_notice", "fresh", "pending_ward_notice"]  # fmt: skip
