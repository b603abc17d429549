"""The nightly retention purge under `loa run` (bot.services.directory.retention does the work)."""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.directory import retention

logger = logging.getLogger(__name__)


def add_retention_job(
    scheduler: AsyncIOScheduler, factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    """Every night at 03:15 local time (`loa privacy purge` runs it by hand)."""
    periods = retention.Periods.from_settings(settings)

    async def purge() -> None:
        try:
            async with factory() as session:
                report = await retention.purge(session, periods)
        except Exception:  # a failed night must not stop the next one
            logger.exception("retention purge failed")
            return
        if report.total:
            logger.info(
                "retention: %s questions, %s deliveries, %s searches, %s scans, %s drafts",
                report.questions,
                report.deliveries,
                report.searches,
                report.scans,
                report.drafts,
            )

    scheduler.add_job(
        purge,
        "cron",
        hour=3,
        minute=15,
        id="loa-retention",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
    )
