"""/forget also drops conversation drafts held in Redis (several instances)."""

from __future__ import annotations

import secrets

import pytest
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.redis import RedisStorage
from redis.exceptions import ConnectionError as RedisDown

from bot.fsm_storage import forget_conversations

BOT = 123456789


async def test_forget_conversations_in_redis() -> None:
    storage = RedisStorage.from_url("redis://127.0.0.1:6379/0")
    person = 300_000_000 + secrets.randbelow(1_000_000)
    other = person + 1
    mine = [
        StorageKey(bot_id=BOT, chat_id=person, user_id=person),
        StorageKey(bot_id=BOT, chat_id=-1_001_234, user_id=person),  # a draft in a group
    ]
    theirs = StorageKey(bot_id=BOT, chat_id=other, user_id=other)
    try:
        for key in (*mine, theirs):
            await storage.set_data(key, {"text": "gọi 0912345678"})
    except RedisDown:
        pytest.skip("Redis is not running")
    try:
        await forget_conversations(storage, person)
        assert [await storage.get_data(k) for k in mine] == [{}, {}]
        assert await storage.get_data(theirs) == {"text": "gọi 0912345678"}
    finally:
        await storage.set_data(theirs, {})
        await storage.close()
