"""Remove NUL characters from incoming updates before any handler or database sees them.

Telegram clients do not send U+0000, but a webhook body or a forged update can, and
PostgreSQL refuses it in any text or JSON column: a search, a question or a saved draft
would then fail with "Loa gặp sự cố". A NUL never carries meaning in what people write, so
it is dropped here, in one place, rather than checked in every handler.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


def _strip(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_strip(v) for v in value]
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items()}
    return value


class NulStripMiddleware(BaseMiddleware):
    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if isinstance(event, Update) and "\\u0000" in event.model_dump_json(exclude_none=True):
            raw = _strip(event.model_dump(mode="json", exclude_none=True, by_alias=True))
            event = Update.model_validate(raw, context={"bot": data.get("bot")})
        return await handler(event, data)
