"""Telegram's webhook: authenticated, validated, and handled before Telegram hears 200.

Telegram re-sends an update until it gets a 2xx answer, so answering only after the
dispatcher finished means an update in hand when the process stops is sent again rather than
lost. A wrong secret (whatever its bytes) gets 401, a body that is not an update gets 400.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

logger = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookHandler(SimpleRequestHandler):
    def __init__(self, dispatcher: Dispatcher, bot: Bot, secret: str, **data: Any) -> None:
        super().__init__(dispatcher, bot, handle_in_background=False, secret_token=secret, **data)

    def verify_secret(self, telegram_secret_token: str, bot: Bot) -> bool:
        # Compare bytes: a header with non-ASCII characters is simply wrong, not an error.
        given = telegram_secret_token.encode("utf-8", "surrogateescape")
        return hmac.compare_digest(given, (self.secret_token or "").encode())

    async def handle(self, request: web.Request) -> web.Response:
        if not self.verify_secret(request.headers.get(SECRET_HEADER, ""), self.bot):
            return web.Response(text="Unauthorized", status=401)
        try:
            raw = await request.json(loads=self.bot.session.json_loads)
            update = Update.model_validate(raw, context={"bot": self.bot})
        except ValueError:  # bad JSON, bad UTF-8, or JSON that is not an update
            logger.warning("webhook: refused a body that is not a Telegram update")
            return web.Response(text="Bad Request: not a Telegram update", status=400)
        result: TelegramMethod[Any] | None = await self.dispatcher.feed_webhook_update(
            self.bot, update, **self.data
        )
        return web.Response(body=self._build_response_writer(bot=self.bot, result=result))

    __call__ = handle
