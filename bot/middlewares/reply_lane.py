"""The bot's own replies take global slots in the top lane of the sender's limiter, so a
100,000-chat broadcast never makes a resident wait for an answer, and together they stay
within Telegram's limit."""

from __future__ import annotations

import asyncio

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

from broadcasts.limiter import REPLY_LANE, Limiter

LIMITED = ("send", "copy", "forward", "edit")
MAX_REPLY_WAIT = 6  # seconds a reply may wait for Telegram's flood control


class ReplyLaneMiddleware(BaseRequestMiddleware):
    def __init__(self, limiter: Limiter) -> None:
        self.limiter = limiter

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
            # Keep each chat's pace (20 a minute in a group, about one a second in a private
            # chat) rather than collect a 429: a two-message answer arrives a second apart.
            wait = self.limiter.chat_wait(chat_id)
            if 0 < wait <= MAX_REPLY_WAIT:
                await asyncio.sleep(wait)
        await self.limiter.acquire(REPLY_LANE)
        if isinstance(chat_id, int):
            self.limiter.chat_take(chat_id)
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
