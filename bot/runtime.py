"""`loa run`: migrate, then serve in polling or webhook mode, and stop gracefully on SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot import migrate
from bot.app import create_bot, create_dispatcher
from bot.config import Settings
from bot.db import create_engine, create_session_factory
from bot.delivery import add_reminder_job, create_delivery
from bot.middlewares.reply_lane import ReplyLaneMiddleware
from bot.services.directory.retention_job import add_retention_job
from bot.services.engagement.jobs import add_consult_job
from bot.services.procedures import core as procedures
from bot.services.stats.jobs import add_stats_jobs
from bot.texts import Catalog
from bot.web.app import create_runner, create_web_app
from broadcasts.progress import ProgressReporter
from broadcasts.scheduler import add_delivery_jobs

logger = logging.getLogger(__name__)


async def serve(settings: Settings, *, stop: asyncio.Event | None = None) -> None:
    """Run the bot until `stop` is set or SIGTERM/SIGINT arrives.

    Polling: updates already received finish before the process exits (the in-flight middleware
    is awaited on shutdown) and unconfirmed ones are fetched again on the next start.
    Webhook: Telegram gets 200 only after an update was handled, so it redelivers the rest.
    """
    token = settings.require_token()
    await migrate.upgrade(settings.database_url)
    engine = create_engine(settings.database_url)
    session_factory = create_session_factory(engine)
    async with session_factory() as session:  # first start: the shipped procedure catalog
        if added := await procedures.ensure_catalog(session):
            logger.info("imported %s procedure guides from the shipped catalog", added)
    bot = create_bot(settings, token)
    dp = create_dispatcher(settings, session_factory, engine)
    catalog = Catalog(settings.language)
    sender = create_delivery(settings, session_factory, catalog, idle_poll=5.0)
    sender.on_sweep = ProgressReporter(sender.api, session_factory, catalog, settings.language)
    bot.session.middleware(ReplyLaneMiddleware(sender.limiter, settings.broadcast_rate))
    dp["sender"] = sender
    scheduler = AsyncIOScheduler(timezone=settings.tz)
    add_delivery_jobs(scheduler, sender)
    add_reminder_job(scheduler, sender, session_factory, settings, catalog)
    add_retention_job(scheduler, session_factory, settings)
    add_stats_jobs(scheduler, session_factory, sender.api, settings, catalog, sender.limiter)
    add_consult_job(scheduler, sender, session_factory, settings, catalog)
    dp["scheduler"] = scheduler
    app = create_web_app(settings, engine, dispatcher=dp, bot=bot)
    runner = create_runner(app)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    await runner.setup()
    await web.TCPSite(runner, settings.web_host, settings.web_port).start()
    logger.info("web server on http://%s:%s", settings.web_host, settings.web_port)
    # The sender resumes whatever a crash or a stop left (claimed rows whose lease expired,
    # notices that became due while Loa was down) as soon as it starts.
    sender_stop = asyncio.Event()
    sending = asyncio.create_task(sender.run(sender_stop))
    scheduler.start()
    try:
        if settings.webhook_url:
            await _serve_webhook(settings, bot, dp, stop)
        else:
            await _serve_polling(bot, dp, stop)
    finally:
        scheduler.shutdown(wait=False)
        sender_stop.set()
        await sending  # finishes requests in flight, gives back what it had claimed
        await runner.cleanup()
        await bot.session.close()
        await sender.api.close()
        await engine.dispose()
        logger.info("stopped")


async def _serve_polling(bot: Bot, dp: Dispatcher, stop: asyncio.Event) -> None:
    await bot.delete_webhook(drop_pending_updates=False)
    polling = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, close_bot_session=False)
    )
    stopper = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({polling, stopper}, return_when=asyncio.FIRST_COMPLETED)
    if stopper in done:
        with contextlib.suppress(RuntimeError):  # polling may not have started yet
            await dp.stop_polling()
    else:
        stopper.cancel()
    await polling  # its shutdown hook waited for every update in hand
    last = dp["inflight"].last_update_id
    if last is not None:
        # Confirm what we handled, so a restart neither repeats it nor loses the rest.
        with contextlib.suppress(TelegramAPIError):
            await bot.get_updates(offset=last + 1, limit=1, timeout=0)


async def _serve_webhook(
    settings: Settings, bot: Bot, dp: Dispatcher, stop: asyncio.Event
) -> None:
    assert settings.webhook_url and settings.webhook_secret
    await dp.emit_startup(bot=bot, dispatcher=dp, **dp.workflow_data)
    await bot.set_webhook(
        settings.webhook_url + settings.webhook_path,
        secret_token=settings.webhook_secret.get_secret_value(),
        allowed_updates=dp.resolve_used_update_types(),
    )
    logger.info("webhook mode: %s%s", settings.webhook_url, settings.webhook_path)
    try:
        await stop.wait()
    finally:
        await dp.emit_shutdown(bot=bot, dispatcher=dp, **dp.workflow_data)
