"""The closing job under `loa run`: every minute, close the consultations whose time has come
(reading the injected clock, bot.services.engagement.turnout.close_due) and wake the sender for
their result notices."""

from __future__ import annotations

import logging
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.engagement.turnout import close_due
from bot.texts import Catalog

logger = logging.getLogger(__name__)


async def closing_tick(
    factory: async_sessionmaker[AsyncSession], settings: Settings, catalog: Catalog, sender: Any
) -> list[int]:
    """One round; a failure is logged and the next round tries again."""
    try:
        results = await close_due(factory, settings, catalog)
    except Exception:  # a failed round must not stop the next one
        logger.exception("closing consultations failed")
        return []
    if results:
        logger.info("consultations closed: %s result notices queued", len(results))
        sender.wake()
    return results


def add_consult_job(
    scheduler: AsyncIOScheduler,
    sender: Any,
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    catalog: Catalog,
) -> None:
    scheduler.add_job(
        closing_tick,
        "interval",
        minutes=1,
        args=[factory, settings, catalog, sender],
        id="loa-consultations",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
    )
