"""Wiring: the Bot API client and the limiter (local, or Redis-shared) make the sender.

Nothing here imports aiogram or the settings: the caller (bot.delivery) reads them and passes
plain values, so a sender process (`loa broadcast send --wait`, `resume`) stays small. In
`loa run`, the bot's own replies share the same limiter (bot.middlewares.reply_lane).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from broadcasts.client import BotApi
from broadcasts.limiter import GlobalGate, Limiter, LocalGate
from broadcasts.render import Marks, Texts
from broadcasts.sender import Sender
from models import Urgency


def marks_factory(texts: Texts, language: str) -> Callable[[Urgency], Marks]:
    cache: dict[Urgency, Marks] = {}

    def marks_for(urgency: Urgency) -> Marks:
        if urgency not in cache:
            cache[urgency] = Marks(
                header=texts.text(f"notice.header_{urgency.value}", language),
                correction=texts.text("notice.mark_correction", language),
                cancelled=texts.text("notice.mark_cancelled", language),
                continued=texts.text("notice.continued", language),
                ack=texts.text("notice.ack_button", language),
                attend=texts.text("notice.attend_button", language),
            )
        return cache[urgency]

    return marks_for


def create_gate(rate: float, bot_id: int, redis_url: str | None = None) -> GlobalGate:
    """Several instances share one bot's limit through Redis; one instance keeps it local."""
    if redis_url:
        from redis.asyncio import Redis

        from broadcasts.redis_gate import RedisGate

        return RedisGate(Redis.from_url(redis_url), bot_id, rate)
    return LocalGate(rate)


def build_sender(
    api: BotApi,
    factory: async_sessionmaker[AsyncSession],
    gate: GlobalGate,
    marks_for: Callable[[Urgency], Marks],
    **options: Any,
) -> Sender:
    """The sender for this bot token, with its own limiter (options: see Sender)."""
    limiter = Limiter(gate)
    api.observe = limiter.observe  # the round trips teach the limiter the latency jitter
    return Sender(api, factory, limiter, marks_for, **options)
