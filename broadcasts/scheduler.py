"""APScheduler 3.x is only the ticker: it wakes the sender; the database decides what is due.

The reminders job is the shell's (bot.delivery.add_reminder_job)."""

from __future__ import annotations

from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from broadcasts.sender import Sender


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
