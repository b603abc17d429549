"""Lookups of guides, written in batches off the lookup path.

A search or a card costs no write of its own: `note` appends a row to a buffer in memory and
returns at once; one task writes the buffer in one INSERT and one commit a second later (or
as soon as it holds `BATCH` rows). The rows name no person, so a buffer lost when the process
dies costs only a second of counts (README "Indicators").
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Lookup, ResidentialGroup, utcnow

logger = logging.getLogger(__name__)
SOURCES = ("search", "inline", "qr", "card", "web")
BATCH = 500  # rows that start a write at once
INTERVAL = 1.0  # seconds a row waits at most, while the process runs


class LookupLog:
    """The buffer and its one writer task; `flush` writes what waits (tests, shutdown)."""

    def __init__(
        self, factory: async_sessionmaker[AsyncSession], interval: float = INTERVAL
    ) -> None:
        self.factory, self.interval = factory, interval
        self._rows: list[dict[str, Any]] = []
        self._task: asyncio.Task[None] | None = None
        self._full = asyncio.Event()
        self._lock = asyncio.Lock()

    def note(self, source: str, code: str | None, ward_id: int | None) -> None:
        """Count one lookup; never waits, never touches the database."""
        assert source in SOURCES, source
        self._rows.append({"at": utcnow(), "ward_id": ward_id, "code": code, "source": source})
        if len(self._rows) >= BATCH:
            self._full.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._later())

    async def _later(self) -> None:
        while self._rows:  # rows noted during a write wait for the next one
            try:
                await asyncio.wait_for(self._full.wait(), self.interval)
            except TimeoutError:
                pass
            await self.flush()

    async def flush(self) -> None:
        """Write every row waiting, in batches of `BATCH`; a failed batch is logged and lost."""
        async with self._lock:
            self._full.clear()
            while self._rows:
                batch, self._rows = self._rows[:BATCH], self._rows[BATCH:]
                try:
                    async with self.factory() as session:
                        await session.execute(insert(Lookup), batch)
                        await session.commit()
                except Exception:  # counts only: never let them break the bot
                    logger.exception("could not write %d lookups", len(batch))

    async def close(self) -> None:
        """At shutdown: write what waits."""
        await self.flush()


async def lookup_ward(
    session: AsyncSession, household_ward: int | None, group_chat_id: int | None
) -> int | None:
    """The ward a lookup counts for: the person's registered household's, else the group
    chat's (a query only in a group chat), else none."""
    if household_ward is not None:
        return household_ward
    if group_chat_id is None:
        return None
    ward_id: int | None = await session.scalar(
        select(ResidentialGroup.ward_id).where(ResidentialGroup.chat_id == group_chat_id)
    )
    return ward_id
