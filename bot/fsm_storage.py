"""FSM storage in the database, so a half-finished conversation survives a restart.

Most updates are not part of a conversation (a "Đã nhận" press, a lookup), yet aiogram asks
the storage for the state of every one. The table only holds open conversations (a record with
nothing left is deleted), so it is read once, kept in memory, and written through: a state
lookup costs no database round trip. One process owns the table: several instances use Redis
(`bot.app.create_storage`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import FsmRecord


class SqlStorage(BaseStorage):
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.session_factory = session_factory
        self.key_builder = DefaultKeyBuilder(with_destiny=True)
        self._mirror: dict[str, tuple[str | None, dict[str, Any]]] | None = None
        self._loading = asyncio.Lock()

    async def _records(self) -> dict[str, tuple[str | None, dict[str, Any]]]:
        if self._mirror is None:
            async with self._loading:
                if self._mirror is None:
                    async with self.session_factory() as session:
                        rows = await session.execute(
                            select(FsmRecord.key, FsmRecord.state, FsmRecord.data)
                        )
                        self._mirror = {k: (s, dict(d or {})) for k, s, d in rows.tuples()}
        return self._mirror

    async def _upsert(self, key: StorageKey, **values: Any) -> None:
        k = self.key_builder.build(key)
        mirror = await self._records()
        async with self.session_factory() as session:
            record = await session.get(FsmRecord, k)
            if record is None:
                record = FsmRecord(key=k, state=None, data={})
                session.add(record)
            for name, value in values.items():
                setattr(record, name, value)
            state, data = record.state, dict(record.data or {})
            if state is None and not data:
                # Nothing left to remember: keep the table small.
                if record in session.new:
                    session.expunge(record)
                else:
                    await session.delete(record)
            await session.commit()
        if state is None and not data:
            mirror.pop(k, None)
        else:
            mirror[k] = (state, data)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._upsert(key, state=value)

    async def get_state(self, key: StorageKey) -> str | None:
        record = (await self._records()).get(self.key_builder.build(key))
        return record[0] if record else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._upsert(key, data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        record = (await self._records()).get(self.key_builder.build(key))
        return dict(record[1]) if record else {}

    async def close(self) -> None:
        return None


async def forget_conversations(storage: BaseStorage, telegram_id: int) -> None:
    """Drop this person's conversations held in Redis; the database's went with /forget."""
    redis = getattr(storage, "redis", None)
    if redis is None:
        return
    async for key in redis.scan_iter(match=f"*:{telegram_id}:*"):
        await redis.delete(key)
