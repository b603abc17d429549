"""APScheduler 3.x is only the ticker: it wakes the sender; the database decides what is due."""

from __future__ import annotations

import logging
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.services.notices.reminders import run_reminders
from bot.texts import Catalog
from broadcasts.sender import Sender
from models import utcnow

logger = logging.getLogger(__name__)


def add_delivery_jobs(scheduler: AsyncIOScheduler, sender: Sender, seconds: float = 1.0) -> None:
    """Wake the sender every `seconds`, so rows that became due (schedules, retries) go out."""
    scheduler.add_job(
        sender.wake,
        "interval",
        seconds=seconds,
        id="loa-delivery-tick",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
    )


def wake_at(scheduler: AsyncIOScheduler, sender: Sender, when: datetime) -> None:
    """A scheduled notice: wake exactly at its time (the tick would find it within a second)."""
    scheduler.add_job(sender.wake, "date", run_date=when, misfire_grace_time=None)


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
