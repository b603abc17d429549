"""The aiohttp application: /healthz, the guide pages and the public notice board always, the
webhook in webhook mode."""

from __future__ import annotations

import logging

from aiogram import Bot, Dispatcher
from aiohttp import web
from aiohttp.typedefs import Handler
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.db import create_session_factory, ping
from bot.logs import AccessLogger
from bot.web.board import add_board_routes
from bot.web.dash import add_dash_routes
from bot.web.guides import add_guide_routes
from bot.web.reports import add_report_routes
from bot.web.webhook import WebhookHandler

logger = logging.getLogger(__name__)
ENGINE_KEY = web.AppKey("engine", AsyncEngine)
# Pages are server-rendered with inline CSS: no frames, no foreign content, and one script,
# the print button's `onclick="window.print()"`, allowed by its hash and nothing else.
PRINT_HANDLER_HASH = "sha256-MguIPR6qNR8D3B+eAlK+bIRTZe8t3wkOY4B/56Me9FU="
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        f"script-src 'unsafe-hashes' '{PRINT_HANDLER_HASH}'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # 404 and friends are responses too
        exc.headers.update(SECURITY_HEADERS)
        raise
    for name, value in SECURITY_HEADERS.items():  # a page may set a stricter or wider one
        response.headers.setdefault(name, value)
    return response


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
    app = web.Application(middlewares=[security_headers])
    app[ENGINE_KEY] = engine
    app.router.add_get("/healthz", healthz)
    sessions = create_session_factory(engine)
    add_guide_routes(app, settings, sessions)
    add_board_routes(app, settings, sessions)
    add_dash_routes(app, settings, sessions)
    add_report_routes(app, settings, sessions)
    if settings.webhook_url and dispatcher is not None and bot is not None:
        assert settings.webhook_secret is not None  # enforced by Settings
        WebhookHandler(
            dispatcher, bot, settings.webhook_secret.get_secret_value(), **dispatcher.workflow_data
        ).register(app, path=settings.webhook_path)
    return app
