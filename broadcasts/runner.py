"""Run a sender until given notices (or everything due) are finished: CLI, tests, benchmarks."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from broadcasts.sender import Sender
from models import Delivery, DeliveryStatus, Notice, utcnow

HORIZON = timedelta(minutes=10)  # `resume` waits for retries due within this, not for schedules


async def _done(factory: async_sessionmaker[AsyncSession], notice_ids: set[int] | None) -> bool:
    async with factory() as session:
        if notice_ids is not None:
            unfinished = await session.scalar(
                select(func.count())
                .select_from(Notice)
                .where(Notice.id.in_(notice_ids), Notice.finished_at.is_(None))
            )
            return not unfinished
        open_rows = await session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(
                Delivery.status.in_((DeliveryStatus.PENDING, DeliveryStatus.SENDING)),
                Delivery.next_attempt_at <= utcnow() + HORIZON,
            )
        )
        return not open_rows


async def run_until_done(
    sender: Sender,
    factory: async_sessionmaker[AsyncSession],
    notice_ids: set[int] | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    """Send until the notices finish (all of them, or every row due soon when None)."""
    stop = stop or asyncio.Event()
    previous = sender.on_sweep

    async def on_sweep(finished: list[int]) -> None:
        if previous is not None:
            await previous(finished)
        if await _done(factory, notice_ids):
            stop.set()

    sender.on_sweep = on_sweep
    try:
        await sender.run(stop)
    finally:
        sender.on_sweep = previous
