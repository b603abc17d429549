"""Helpers for delivery tests: a ward, a sender against a strict sandbox, counting receipts."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.catalog import Catalog
from bot.config import Settings
from bot.sandbox import Sandbox
from bot.services.seed import seed_synthetic
from broadcasts import audience, outbox
from broadcasts.engine import create_delivery
from broadcasts.progress import ProgressReporter
from broadcasts.runner import run_until_done
from broadcasts.sender import Sender
from models import Delivery, Notice, ResidentialGroup, Urgency, Ward

FAST = {"sweep_seconds": 0.05, "backoff_base": 0.02}


async def ward(session: AsyncSession, groups: int = 4, households: int = 12) -> int:
    await seed_synthetic(session, groups=groups, households=households, ward_name="Phường Test")
    return (await session.scalars(select(Ward.id))).one()


async def notice(
    session: AsyncSession,
    ward_id: int,
    text: str = "Lịch tiêm chủng",
    urgency: Urgency = Urgency.NORMAL,
    kind: str = "ward",
    **kw: Any,
) -> Notice:
    n, _ = await outbox.enqueue(
        session, ward_id=ward_id, text=text, audience=audience.spec(kind), urgency=urgency, **kw
    )
    return n


async def sender_for(
    settings: Settings, sandbox: Sandbox, factory: async_sessionmaker[AsyncSession], **kw: Any
) -> Sender:
    timeout = kw.pop("api_timeout", 5.0)
    s = settings.model_copy(
        update={"telegram_api_url": sandbox.base_url, "broadcast_timeout": timeout}
    )
    return create_delivery(s, factory, Catalog(), **{**FAST, **kw})


async def deliver(
    settings: Settings,
    sandbox: Sandbox,
    factory: async_sessionmaker[AsyncSession],
    notice_ids: set[int] | None = None,
    **kw: Any,
) -> Sender:
    sender = await sender_for(settings, sandbox, factory, **kw)
    try:
        await run_until_done(sender, factory, notice_ids)
    finally:
        await sender.api.close()
    return sender


async def deliver_reporting(
    settings: Settings,
    sandbox: Sandbox,
    factory: async_sessionmaker[AsyncSession],
    notice_ids: set[int],
) -> None:
    """Deliver with the author's progress message, as `loa run` does."""
    sender = await sender_for(settings, sandbox, factory)
    sender.on_sweep = ProgressReporter(sender.api, factory, Catalog(), "vi", every=0.0)
    try:
        await run_until_done(sender, factory, notice_ids)
    finally:
        await sender.api.close()


def received(
    sandbox: Sandbox, methods: tuple[str, ...] = ("sendMessage", "sendPhoto", "sendDocument")
) -> Counter[int]:
    """Messages each chat really received (successful send calls, incl. unanswered ones)."""
    return Counter(c.chat_id for c in sandbox.calls if c.method in methods and c.result)


async def rows(session: AsyncSession, notice_id: int) -> list[Delivery]:
    stmt = select(Delivery).where(Delivery.notice_id == notice_id).order_by(Delivery.id)
    return list(await session.scalars(stmt.execution_options(populate_existing=True)))


async def group_chats(session: AsyncSession) -> list[int]:
    """The ward's group chat ids, in the order the groups were created."""
    stmt = select(ResidentialGroup.chat_id).order_by(ResidentialGroup.id)
    return [c for c in await session.scalars(stmt) if c is not None]
