"""The one factory: bot, dispatcher and web app, used by `loa run`, the demo and the tests."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.fsm_storage import SqlStorage
from bot.i18n import LocaleMiddleware, create_i18n, translate
from bot.inline_filters import run_sync_filters_inline
from bot.middlewares.context import (
    DbSessionMiddleware,
    InflightMiddleware,
    PrincipalMiddleware,
    UnitWordsMiddleware,
)
from bot.middlewares.response_types import KeepResponseTypes
from bot.middlewares.sanitize import NulStripMiddleware
from bot.services.directory.role_holders import RoleHolders
from bot.services.notices.acks import ack_writer
from bot.services.notices.verify_index import Index
from bot.services.procedures.lookups import LookupLog
from bot.texts import Catalog
from handlers import build_root_router, refusals
from handlers.triage.jobs import SlaTicker

logger = logging.getLogger(__name__)

COMMANDS = (
    "start",
    "notices",
    "thutuc",
    "help",
    "ask",
    "myquestions",
    "report",
    "mydata",
    "privacy",
    "language",
    "forget",
)


def create_bot(settings: Settings, token: str | None = None) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    session.middleware(KeepResponseTypes())
    return Bot(
        token or settings.require_token(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def create_storage(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> BaseStorage:
    """Conversation state in Redis when configured (several instances), else in the database."""
    if settings.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(settings.redis_url)
    return SqlStorage(session_factory)


def create_dispatcher(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    *,
    storage: BaseStorage | None = None,
    **workflow: Any,
) -> Dispatcher:
    """Build the dispatcher with its middlewares, routers and long-lived dependencies."""
    i18n = create_i18n(settings.language)
    workflow.setdefault("catalog", Catalog(settings.language))  # texts for notices, no aiogram
    workflow.setdefault("ack_writer", ack_writer(session_factory))  # presses, group-committed
    workflow.setdefault("lookup_log", LookupLog(session_factory))  # lookups, written in batches
    workflow.setdefault("verify_index", Index())  # "is this official?" without an archive scan
    workflow.setdefault("role_holders", RoleHolders(settings.admin_ids))  # no role query for most
    inflight = InflightMiddleware()
    dp = Dispatcher(
        storage=storage or create_storage(settings, session_factory),
        settings=settings,
        session_factory=session_factory,
        engine=engine,
        i18n=i18n,
        inflight=inflight,
        **workflow,
    )
    dp.update.outer_middleware(NulStripMiddleware())  # before anything reads the update
    dp.update.outer_middleware(inflight)
    dp.update.outer_middleware(DbSessionMiddleware(session_factory))
    dp.update.outer_middleware(PrincipalMiddleware(workflow["role_holders"]))
    dp.update.outer_middleware(UnitWordsMiddleware())
    dp.update.outer_middleware(LocaleMiddleware(i18n))
    refusals.install(dp)  # inside the session and the locale: rolled back, in their language
    dp.include_router(build_root_router())
    run_sync_filters_inline(dp)
    dp.startup.register(_on_startup)
    dp.shutdown.register(_on_shutdown)
    dp.shutdown.register(workflow["lookup_log"].close)  # after the last update: its lookups too
    # The response-time watch runs only while the bot runs (startup is never emitted in tests,
    # which call `run_sla_checks` with their own clock).
    ticker = SlaTicker(settings, session_factory, i18n)
    dp.startup.register(ticker.start)
    dp.shutdown.register(ticker.stop)
    return dp


async def _on_startup(bot: Bot, i18n: Any) -> None:
    """Publish the command menu in both languages; a failure here must not stop the bot."""
    try:
        for lang in ("vi", "en"):
            commands = [
                BotCommand(command=c, description=translate(i18n, f"cmd.{c}", lang))
                for c in COMMANDS
            ]
            await bot.set_my_commands(
                commands,
                scope=BotCommandScopeAllPrivateChats(),
                language_code=None if lang == "vi" else lang,
            )
    except TelegramAPIError as exc:
        logger.warning("could not set the command menu: %s", exc)


async def _on_shutdown(inflight: InflightMiddleware, dispatcher: Dispatcher | None = None) -> None:
    """Let every update already received finish before the bot session closes.

    aiogram runs its own outer middlewares (errors, user context, FSM) before ours, and the FSM
    one awaits the storage, so a just-started handler may not be counted yet: wait for
    aiogram's handler tasks themselves, then for anything our counter still sees.
    """
    tasks = set(getattr(dispatcher, "_handle_update_tasks", ()))
    if tasks:
        await asyncio.wait(tasks, timeout=30)
    if not await inflight.wait_idle(30):
        logger.error("shutdown: updates still being handled after 30 s")
