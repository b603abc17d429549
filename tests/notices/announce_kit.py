"""Walk the /announce composer as an official would, through the real dispatcher."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory.roles import grant_role
from models import Notice, Role, utcnow
from sandbox import Call
from tests.delivery_kit import ward
from tests.harness import OFFICIAL_ID, BotHarness, last_message, texts


async def ward_with_official(session: AsyncSession, groups: int = 2, households: int = 4) -> int:
    ward_id = await ward(session, groups=groups, households=households)
    await grant_role(session, OFFICIAL_ID, Role.WARD_OFFICIAL)
    return ward_id


def day_after(days: int, tz: Any) -> str:
    return f"{(utcnow().astimezone(tz) + timedelta(days=days)):%d/%m/%Y}"


class Composer:
    """One person's composer session: `say` text, `tap` a button of the last keyboard."""

    def __init__(self, h: BotHarness, user: int = OFFICIAL_ID) -> None:
        self.h, self.user = h, user
        self.calls: list[Call] = []

    @property
    def last(self) -> dict[str, Any]:
        """The last message with a keyboard the bot sent in this chat."""
        for c in reversed(self.h.sandbox.calls):
            r = c.result if isinstance(c.result, dict) else None
            if (c.ok and r and r.get("chat", {}).get("id") == self.user
                    and r.get("reply_markup")):  # fmt: skip
                return r
        raise AssertionError("no keyboard sent")

    async def say(self, text: str | None = None, **kw: Any) -> list[str]:
        self.calls = await self.h.send(self.user, text, **kw)
        return texts(self.calls)

    async def tap(self, label: str) -> list[str]:
        self.calls = await self.h.press_button(self.user, self.last, label)
        return texts(self.calls)

    async def notice(
        self,
        text: str,
        *,
        kind: str = "Thông báo",
        audience: tuple[str, ...] = ("Toàn phường",),
        level: str | None = "Bình thường",
        expiry: str = "Không hết hạn",
    ) -> list[str]:
        """/announce a notice sent now, up to its preview; returns the preview's texts."""
        await self.say("/announce")
        await self.tap(kind)
        await self.say(text)
        for label in audience:
            await self.tap(label)
        if level:
            await self.tap(level)
        await self.tap("Gửi ngay")
        return await self.tap(expiry)


async def notice_row(session: AsyncSession) -> Notice:
    stmt = select(Notice).order_by(Notice.id.desc()).limit(1)
    return (await session.scalars(stmt.execution_options(populate_existing=True))).one()


def local(dt: datetime, tz: Any) -> str:
    return f"{dt.astimezone(tz):%H:%M %d/%m}"


__all__ = ["Composer", "day_after", "last_message", "notice_row", "ward_with_official"]
