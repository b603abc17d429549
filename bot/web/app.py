"""The aiohttp application: /healthz and the guide pages always, the webhook in webhook mode."""

from __future__ import annotations

import logging

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.db import create_session_factory, ping
from bot.logs import AccessLogger
from bot.web.guides import add_guide_routes

logger = logging.getLogger(__name__)
ENGINE_KEY = web.AppKey("engine", AsyncEngine)


async def healthz(request: web.Request) -> web.Response:
    try:
        await ping(request.app[ENGINE_KEY])
    except Exception as exc:  # any database failure is "unhealthy", never a crash
        logger.warning("health check: database unavailable: %s", type(exc).__name__)
        return web.json_response({"status": "error", "database": "unavailable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})


def create_runner(app: web.Application) -> web.AppRunner:
    """The runner `loa run` serves with: an access log without query strings (bot.logs)."""
    return web.AppRunner(app, shutdown_timeout=30, access_log_class=AccessLogger)


def create_web_app(
    settings: Settings,
    engine: AsyncEngine,
    *,
    dispatcher: Dispatcher | None = None,
    bot: Bot | None = None,
) -> web.Application:
    app = web.Application()
    app[ENGINE_KEY] = engine
    app.router.add_get("/healthz", healthz)
    add_guide_routes(app, settings, create_session_factory(engine))
    if settings.webhook_url and dispatcher is not None and bot is not None:
        assert settings.webhook_secret is not None  # enforced by Settings
        SimpleRequestHandler(
            dispatcher=dispatcher,
            bot=bot,
            secret_token=settings.webhook_secret.get_secret_value(),
            **dispatcher.workflow_data,
        ).register(app, path=settings.webhook_path)
    return app
