"""The shell's side of delivery: settings and the directory wired into broadcasts/.

broadcasts/ is the lower layer and knows neither the settings, nor the text catalog, nor the
directory; this module reads the settings, passes the catalog as texts and the directory's
answers to a migrated or unreachable chat as callbacks, and schedules the reminders job.
"""

from __future__ import annotations

import logging
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.directory.binding import mark_unreachable, migrate_chat
from bot.services.notices.reminders import run_reminders
from bot.texts import Catalog
from broadcasts.client import BotApi
from broadcasts.engine import build_sender, create_gate, marks_factory
from broadcasts.sender import Hook, Sender
from models import utcnow

logger = logging.getLogger(__name__)


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
    gate = create_gate(settings.broadcast_rate, api.bot_id, settings.redis_url)
    marks = marks_factory(catalog or Catalog(settings.language), settings.language)
    return build_sender(api, factory, gate, marks, on_sweep=on_sweep, on_migrated=migrate_chat,
                        on_unreachable=mark_unreachable, **options)  # fmt: skip


def add_reminder_job(
    scheduler: AsyncIOScheduler,
    sender: Sender,
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    catalog: Catalog,
) -> None:
    """Every minute: queue the reminders that are due (bot.services.notices.reminders)."""

    async def tick() -> None:
        try:
            report = await run_reminders(utcnow(), factory, settings, catalog)
        except Exception:  # a failed round must not stop the next one
            logger.exception("reminders failed")
            return
        if report.queued:
            sender.wake()

    scheduler.add_job(
        tick,
        "interval",
        minutes=1,
        id="loa-reminders",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
    )
