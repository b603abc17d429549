"""Helpers for delivery tests: a ward, a sender against a strict sandbox, counting receipts."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
import redis.asyncio as aioredis
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.delivery import create_delivery
from bot.services.directory.seed import seed_synthetic
from bot.texts import Catalog
from broadcasts import audience, outbox
from broadcasts.progress import ProgressReporter
from broadcasts.runner import run_until_done
from broadcasts.sender import Sender
from models import Delivery, Household, Notice, Resident, ResidentialGroup, Urgency, Ward
from sandbox import Sandbox

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


async def announce(
    session: AsyncSession,
    ward_id: int,
    text: str,
    *,
    queued_at: datetime,
    urgency: Urgency = Urgency.NORMAL,
    **fields: Any,
) -> int:
    """A ward notice as if queued at `queued_at` (a test's fixed clock), with announcement
    fields set (remind_after_hours, event_at...) before anything is delivered; its id."""
    n = await notice(session, ward_id, text, urgency)
    await session.execute(
        update(Notice).where(Notice.id == n.id).values(queued_at=queued_at, **fields)
    )
    await session.commit()
    return n.id


@dataclass(frozen=True)
class Person:
    telegram_id: int
    household_id: int
    group_id: int
    address: str


async def people(session: AsyncSession) -> list[Person]:
    """One resident per household of the seeded ward, in household order."""
    rows = await session.execute(
        select(
            Resident.telegram_id,
            Household.id,
            Household.group_id,
            Household.house_number,
            Household.street,
        )
        .join(Household, Household.id == Resident.household_id)
        .order_by(Household.id, Resident.id)
    )
    seen: dict[int, Person] = {}
    for tg, hid, gid, number, street in rows.tuples():
        seen.setdefault(hid, Person(tg, hid, gid, f"{number} {street}"))
    return list(seen.values())


async def children(session: AsyncSession, parent_id: int) -> list[Notice]:
    stmt = select(Notice).where(Notice.parent_id == parent_id).order_by(Notice.id)
    return list(await session.scalars(stmt.execution_options(populate_existing=True)))


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
) -> Counter[int | str | None]:
    """Messages each chat really received (successful send calls, incl. unanswered ones)."""
    return Counter(c.chat_id for c in sandbox.calls if c.method in methods and c.result)


async def rows(session: AsyncSession, notice_id: int) -> list[Delivery]:
    stmt = select(Delivery).where(Delivery.notice_id == notice_id).order_by(Delivery.id)
    return list(await session.scalars(stmt.execution_options(populate_existing=True)))


async def group_chats(session: AsyncSession) -> list[int]:
    """The ward's group chat ids, in the order the groups were created."""
    stmt = select(ResidentialGroup.chat_id).order_by(ResidentialGroup.id)
    return [c for c in await session.scalars(stmt) if c is not None]


async def resident_in(session: AsyncSession, chat_id: int) -> int:
    """The Telegram id of the first registered resident of the group bound to `chat_id`."""
    stmt = (
        select(Resident.telegram_id)
        .join(Household, Household.id == Resident.household_id)
        .join(ResidentialGroup, ResidentialGroup.id == Household.group_id)
        .where(ResidentialGroup.chat_id == chat_id)
        .order_by(Resident.id)
        .limit(1)
    )
    return (await session.scalars(stmt)).one()


async def redis_or_skip() -> aioredis.Redis:
    client = aioredis.Redis.from_url(
        os.environ.get("LOA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    )
    try:
        await client.ping()
    except (OSError, aioredis.ConnectionError) as exc:
        if os.environ.get("LOA_TEST_REQUIRE_POSTGRES") == "1":
            raise
        pytest.skip(f"Redis unavailable: {exc}")
    return client
