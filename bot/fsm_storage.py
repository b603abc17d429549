"""FSM storage in the database, so a half-finished conversation survives a restart."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, StateType, StorageKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import FsmRecord


class SqlStorage(BaseStorage):
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self.session_factory = session_factory
        self.key_builder = DefaultKeyBuilder(with_destiny=True)

    async def _upsert(self, key: StorageKey, **values: Any) -> None:
        k = self.key_builder.build(key)
        async with self.session_factory() as session:
            record = await session.get(FsmRecord, k)
            if record is None:
                record = FsmRecord(key=k, state=None, data={})
                session.add(record)
            for name, value in values.items():
                setattr(record, name, value)
            if record.state is None and not record.data:
                # Nothing left to remember: keep the table small.
                if record in session.new:
                    session.expunge(record)
                else:
                    await session.delete(record)
            await session.commit()

    async def _get(self, key: StorageKey) -> FsmRecord | None:
        async with self.session_factory() as session:
            return await session.get(FsmRecord, self.key_builder.build(key))

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._upsert(key, state=value)

    async def get_state(self, key: StorageKey) -> str | None:
        record = await self._get(key)
        return record.state if record else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._upsert(key, data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        record = await self._get(key)
        return dict(record.data) if record else {}

    async def close(self) -> None:
        return None


async def forget_conversations(storage: BaseStorage, telegram_id: int) -> None:
    """Drop this person's conversations held in Redis; the database's went with /forget."""
    redis = getattr(storage, "redis", None)
    if redis is None:
        return
    async for key in redis.scan_iter(match=f"*:{telegram_id}:*"):
        await redis.delete(key)
