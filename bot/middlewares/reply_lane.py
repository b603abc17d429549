"""The bot's own replies take global slots of the sender's limiter, so they and broadcasts
together stay within Telegram's limit, and a broadcast never makes a resident wait long.

Two bounds keep replies from starving emergencies (and one chat from starving the others):
- Replies to one chat go one at a time at that chat's pace (about one a second in a private
  chat, 20 a minute in a group), never skipping it: a flood of replies to one chat holds one
  slot at a time, never the whole lane.
- The top lane (ahead of emergency copies) is a budget: half the global rate, with about a
  second's worth of burst. Replies beyond it queue behind emergency copies (with urgent ones),
  so an emergency copy never waits behind more than about a second of replies.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

from broadcasts.limiter import REPLY_LANE, Gcra, Limiter

LIMITED = ("send", "copy", "forward", "edit")
MAX_REPLY_WAIT = 6  # seconds a reply may wait for Telegram's flood control (429)
REPLY_SHARE = 0.5  # of the global rate, ahead of emergency copies
OVERFLOW_LANE = 2  # beyond that share: after emergency copies (Urgency.EMERGENCY is 1)


class ReplyLaneMiddleware(BaseRequestMiddleware):
    def __init__(self, limiter: Limiter, rate: float = 30.0) -> None:
        self.limiter = limiter
        share = rate * REPLY_SHARE
        self.budget = Gcra(share, burst=max(1, int(share)))
        self._turns: dict[int, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def _turn(self, chat_id: int) -> AsyncIterator[None]:
        """One reply at a time per chat (the lock is dropped once nobody waits for it)."""
        lock, users = self._turns.get(chat_id) or (asyncio.Lock(), 0)
        self._turns[chat_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._turns[chat_id]
            if users <= 1:
                del self._turns[chat_id]
            else:
                self._turns[chat_id] = (lock, users - 1)

    async def _global_slot(self) -> None:
        now = self.limiter.clock()
        if self.budget.wait(now) == 0:
            self.budget.take(now)
            await self.limiter.acquire(REPLY_LANE)
        else:
            await self.limiter.acquire(OVERFLOW_LANE)

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if not method.__api_method__.startswith(LIMITED):
            return await make_request(bot, method)
        chat_id = getattr(method, "chat_id", None)
        if isinstance(chat_id, int):
            async with self._turn(chat_id):
                # Keep the chat's pace rather than collect a 429: a two-message answer
                # arrives a second apart; a hundred answers to one chat wait their turns.
                if (wait := self.limiter.chat_wait(chat_id)) > 0:
                    await asyncio.sleep(wait)
                await self._global_slot()
                self.limiter.chat_take(chat_id)
        else:
            await self._global_slot()
        waited = 0.0
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                # A person is waiting for this answer: do as Telegram says while it is short.
                waited += exc.retry_after
                if waited > MAX_REPLY_WAIT:
                    raise
                await asyncio.sleep(exc.retry_after)
