"""Wiring: the limiter (local, or Redis-shared), the sender, and the bot's reply lane."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections.abc import Callable
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.i18n import translate
from broadcasts.limiter import REPLY_LANE, GlobalGate, Limiter, LocalGate
from broadcasts.render import Marks
from broadcasts.sender import Hook, Sender
from models import Urgency

LIMITED = ("send", "copy", "forward", "edit")
# Set inside the sender's tasks: its calls already hold a slot.
SENDER_CALL: contextvars.ContextVar[bool] = contextvars.ContextVar("loa_sender", default=False)


def marks_factory(i18n: I18n, language: str) -> Callable[[Urgency], Marks]:
    cache: dict[Urgency, Marks] = {}

    def marks_for(urgency: Urgency) -> Marks:
        if urgency not in cache:
            cache[urgency] = Marks(
                header=translate(i18n, f"notice.header_{urgency.value}", language),
                correction=translate(i18n, "notice.mark_correction", language),
                cancelled=translate(i18n, "notice.mark_cancelled", language),
                continued=translate(i18n, "notice.continued", language),
            )
        return cache[urgency]

    return marks_for


async def create_gate(settings: Settings, bot: Bot) -> GlobalGate:
    """Several instances share one bot's limit through Redis; one instance keeps it local."""
    if settings.redis_url:
        from redis.asyncio import Redis

        from broadcasts.redis_gate import RedisGate

        return RedisGate(Redis.from_url(settings.redis_url), bot.id, settings.broadcast_rate)
    return LocalGate(settings.broadcast_rate)


class ReplyLaneMiddleware(BaseRequestMiddleware):
    """Sends made by handlers (replies to people) take global slots in the top lane.

    The sender marks its own calls (it already holds a slot) with a context flag.
    """

    def __init__(self, limiter: Limiter) -> None:
        self.limiter = limiter

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        name = method.__api_method__
        if name.startswith(LIMITED) and not SENDER_CALL.get():
            await self.limiter.acquire(REPLY_LANE)
            chat_id = getattr(method, "chat_id", None)
            if isinstance(chat_id, int):
                self.limiter.chat_take(chat_id)
        return await make_request(bot, method)


async def create_delivery(
    settings: Settings,
    bot: Bot,
    factory: async_sessionmaker[AsyncSession],
    i18n: I18n,
    *,
    on_sweep: Hook | None = None,
    install_reply_lane: bool = True,
    **overrides: Any,
) -> Sender:
    """The sender for this bot, with its limiter; replies share the limiter when asked."""
    limiter = Limiter(await create_gate(settings, bot))
    if install_reply_lane:
        bot.session.middleware(ReplyLaneMiddleware(limiter))
    options: dict[str, Any] = {
        "rate": settings.broadcast_rate,
        "lease_seconds": settings.broadcast_lease_seconds,
    }
    options.update(overrides)
    return Sender(
        bot, factory, limiter, marks_factory(i18n, settings.language), on_sweep=on_sweep, **options
    )


async def run_sender(sender: Sender, stop: asyncio.Event) -> None:
    """Run the sender with its own calls flagged, so the reply lane does not count them twice."""
    token = SENDER_CALL.set(True)
    try:
        await sender.run(stop)
    finally:
        with contextlib.suppress(ValueError):
            SENDER_CALL.reset(token)
