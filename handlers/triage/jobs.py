"""The response-time watch: reminders before a deadline, escalation after it.

`run_sla_checks` is a plain function of the time it is given, so tests drive it with a fixed
clock; `SlaTicker` runs it every few minutes under APScheduler while the bot runs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aiogram import Bot
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.i18n import create_i18n, speaking
from bot.services.directory.units import labels_of
from bot.services.triage import actions as ticket_actions
from bot.services.triage import sla
from handlers.triage import relay
from handlers.triage.views import local_time
from models import Ticket, Ward, utcnow

logger = logging.getLogger(__name__)


@dataclass
class SlaReport:
    reminded: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)


async def run_sla_checks(
    now: datetime,
    session_factory: async_sessionmaker[AsyncSession],
    bot: Bot,
    settings: Settings,
    i18n: I18n | None = None,
) -> SlaReport:
    """Remind the staff group of questions nearing their deadline; alert officials after it.

    Each ticket is reminded and escalated at most once (marked with a conditional UPDATE, so
    two overlapping runs cannot both send).
    """
    i18n = i18n or create_i18n(settings.language)
    report = SlaReport()
    before = timedelta(minutes=settings.triage_reminder_minutes)
    with i18n.context(), i18n.use_locale(settings.language):
        async with session_factory() as session:
            for ticket in await sla.due_for_reminder(session, now, before):
                if not await sla.mark(session, ticket.id, "reminded_at", now):
                    continue
                await ticket_actions.note_system(session, ticket, "reminded", now)
                with speaking(labels_of(await session.get(Ward, ticket.ward_id))):
                    text = _("sla.reminder").format(
                        number=ticket.id, due=local_time(ticket.due_at, settings.tz)
                    )
                    await relay.to_staff(bot, session, ticket, text, link=False)
                report.reminded.append(ticket.id)
            for ticket in await sla.due_for_escalation(session, now):
                if not await sla.mark(session, ticket.id, "escalated_at", now):
                    continue
                await ticket_actions.note_system(session, ticket, "overdue", now)
                await session.refresh(ticket)
                with speaking(labels_of(await session.get(Ward, ticket.ward_id))):
                    await _escalate(bot, session, ticket, settings, i18n)
                report.escalated.append(ticket.id)
    if report.reminded or report.escalated:
        logger.info("sla: reminded %s, escalated %s", report.reminded, report.escalated)
    return report


async def _escalate(
    bot: Bot, session: AsyncSession, ticket: Ticket, settings: Settings, i18n: I18n
) -> None:
    """Officials get the card; the staff group is told how many (in the ward's own words)."""
    headline = _("sla.overdue_official").format(number=ticket.id)
    count = await relay.alert_officials(bot, session, ticket, headline, settings, i18n)
    text = _("sla.overdue_staff").format(number=ticket.id, count=count)
    await relay.to_staff(bot, session, ticket, text, link=False)
    await relay.refresh_card(bot, session, ticket, settings, i18n)


class SlaTicker:
    """Runs `run_sla_checks` every LOA_TRIAGE_CHECK_MINUTES; started by the dispatcher."""

    def __init__(
        self,
        settings: Settings,
        session_factory: async_sessionmaker[AsyncSession],
        i18n: I18n,
    ) -> None:
        self.settings, self.session_factory, self.i18n = settings, session_factory, i18n
        self.scheduler: AsyncIOScheduler | None = None

    async def start(self, bot: Bot, scheduler: AsyncIOScheduler | None = None) -> None:
        """Add the SLA job to `loa run`'s shared scheduler, or to one of its own."""
        own = scheduler is None
        scheduler = scheduler or AsyncIOScheduler(timezone=self.settings.tz)
        scheduler.add_job(
            self._tick,
            "interval",
            minutes=self.settings.triage_check_minutes,
            args=[bot],
            id="triage_sla",
            max_instances=1,
            coalesce=True,
            replace_existing=True,
        )
        if own:
            scheduler.start()
            self.scheduler = scheduler

    async def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None

    async def _tick(self, bot: Bot) -> None:
        try:
            await run_sla_checks(utcnow(), self.session_factory, bot, self.settings, self.i18n)
        except Exception:  # a failed round must not stop the next one
            logger.exception("sla check failed")
