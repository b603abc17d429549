"""Wiring: the Bot API client, the limiter (local, or Redis-shared) and the sender.

Nothing here imports aiogram: a sender process (`loa broadcast send --wait`, `resume`) stays
small. In `loa run`, the bot's own replies share the same limiter (bot.middlewares.reply_lane).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.texts import Catalog
from broadcasts.client import BotApi
from broadcasts.limiter import GlobalGate, Limiter, LocalGate
from broadcasts.render import Marks
from broadcasts.sender import Hook, Sender
from models import Urgency


def marks_factory(catalog: Catalog, language: str) -> Callable[[Urgency], Marks]:
    cache: dict[Urgency, Marks] = {}

    def marks_for(urgency: Urgency) -> Marks:
        if urgency not in cache:
            cache[urgency] = Marks(
                header=catalog.text(f"notice.header_{urgency.value}", language),
                correction=catalog.text("notice.mark_correction", language),
                cancelled=catalog.text("notice.mark_cancelled", language),
                continued=catalog.text("notice.continued", language),
                ack=catalog.text("notice.ack_button", language),
                attend=catalog.text("notice.attend_button", language),
            )
        return cache[urgency]

    return marks_for


def create_gate(settings: Settings, bot_id: int) -> GlobalGate:
    """Several instances share one bot's limit through Redis; one instance keeps it local."""
    if settings.redis_url:
        from redis.asyncio import Redis

        from broadcasts.redis_gate import RedisGate

        return RedisGate(Redis.from_url(settings.redis_url), bot_id, settings.broadcast_rate)
    return LocalGate(settings.broadcast_rate)


def create_api(settings: Settings) -> BotApi:
    return BotApi(settings.telegram_api_url, settings.require_token(),
                  timeout=settings.broadcast_timeout)  # fmt: skip


def create_delivery(
    settings: Settings,
    factory: async_sessionmaker[AsyncSession],
    catalog: Catalog | None = None,
    *,
    api: BotApi | None = None,
    on_sweep: Hook | None = None,
    **overrides: Any,
) -> Sender:
    """The sender for this bot token, with its own limiter."""
    api = api or create_api(settings)
    options: dict[str, Any] = {"rate": settings.broadcast_rate,
                               "lease_seconds": settings.broadcast_lease_seconds}  # fmt: skip
    options.update(overrides)
    limiter = Limiter(create_gate(settings, api.bot_id))
    api.observe = limiter.observe  # the round trips teach the limiter the latency jitter
    marks = marks_factory(catalog or Catalog(settings.language), settings.language)
    return Sender(api, factory, limiter, marks, on_sweep=on_sweep, **options)
