"""Group commit for button presses ("Đã nhận", "Tôi sẽ tham gia").

After an urgent notice, thousands of presses arrive within a minute. Each used to be its own
transaction (a read to see whether the household had already pressed, an insert, a commit).
Here a press waits for the write under way, if any, and goes with every other press that
arrived meanwhile into one `INSERT … ON CONFLICT DO NOTHING RETURNING`: one round trip and one
commit for the lot, and the unique constraint answers "already" without a read.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

logger = logging.getLogger(__name__)
MAX_BATCH = 1000


class PressWriter:
    """Inserts rows of `model` in batches; `add` tells whether this row was new (the first
    with its `key` values)."""

    def __init__(
        self, factory: async_sessionmaker[AsyncSession], model: Any, key: tuple[str, ...]
    ) -> None:
        self.factory, self.model, self.key = factory, model, key
        self._pending: list[tuple[dict[str, Any], asyncio.Future[bool]]] = []
        self._task: asyncio.Task[None] | None = None

    async def add(self, row: dict[str, Any]) -> bool:
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((row, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            try:
                inserted = await self._insert([row for row, _ in batch])
            except Exception as exc:  # each waiting press gets the error, as if alone
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for row, future in batch:
                key = tuple(row[c] for c in self.key)
                if not future.done():
                    future.set_result(key in inserted)
                inserted.discard(key)  # the same key twice in a batch: the second is "already"

    async def _insert(self, rows: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
        async with self.factory() as session:
            dialect = session.get_bind().dialect.name
            insert = pg_insert if dialect == "postgresql" else sqlite_insert
            columns = [getattr(self.model, c) for c in self.key]
            stmt = (
                insert(self.model)
                .values(rows)
                .on_conflict_do_nothing(index_elements=list(self.key))
                .returning(*columns)
            )
            inserted = {tuple(r) for r in (await session.execute(stmt)).all()}
            await session.commit()
        return inserted
