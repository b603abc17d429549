"""The one path for refusals: a ServiceError a handler lets escape is told to the person here.

Handlers call a service and render its result; when the service refuses (`ServiceError`), the
handler need not catch it. This middleware runs inside the locale middleware, so the text is in
the resident's stored language, and inside the session middleware, so the update's session is
rolled back first: a refused action writes nothing. A message gets an answer in the same chat
(a quoting reply when the handler is flagged `refusal="reply"`); a callback query an alert.

It is installed twice, one class: around the message and callback handlers (where the
handler's flags can be read) and around the whole update (filters, other kinds of updates).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Dispatcher, flags
from aiogram.dispatcher.flags import get_flag
from aiogram.types import CallbackQuery, Message, TelegramObject, Update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.common.errors import ServiceError
from handlers.common import error_text

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
logger = logging.getLogger(__name__)

REPLY = "reply"
quoting = flags.refusal(REPLY)  # `@quoting` under `@router.message(...)`: refusals quote


class RefusalMiddleware(BaseMiddleware):
    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        try:
            return await handler(event, data)
        except ServiceError as err:
            session: AsyncSession | None = data.get("session")
            if session is not None:
                await session.rollback()
            logger.info("refused: %s", err.key)
            await tell(event, error_text(err), get_flag(data, "refusal"))
            return None


async def tell(event: TelegramObject, text: str, style: str | None = None) -> None:
    """Say `text` where the refused update came from; never raise from here."""
    if isinstance(event, Update):
        event = event.message or event.callback_query or event
    try:
        if isinstance(event, CallbackQuery):
            await event.answer(text, show_alert=True)
        elif isinstance(event, Message):
            await (event.reply(text) if style == REPLY else event.answer(text))
    except Exception:  # the refusal may meet Telegram's own error; it is only logged
        logger.exception("could not tell the user about a refusal")


def install(dp: Dispatcher) -> None:
    """Register once, after the session and locale middlewares (so inside them)."""
    refusals = RefusalMiddleware()
    dp.update.outer_middleware(refusals)
    dp.message.middleware(refusals)
    dp.callback_query.middleware(refusals)
