"""Keep aiogram's parsed response types alive.

aiogram parses every Bot API answer with `Response[method.__returning__]`, a generic pydantic
model. pydantic caches such classes only weakly, and the class sits in reference cycles, so
each collection of the garbage collector drops it and the next answer builds it again (about
15 ms of schema building, several times a second under load: a visible share of an update's
cost). Holding one strong reference per returned type keeps the cache warm.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType

_KEPT: dict[Any, Any] = {}


class KeepResponseTypes(BaseRequestMiddleware):
    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        returning = method.__returning__
        if returning not in _KEPT:
            _KEPT[returning] = Response[returning]  # type: ignore[valid-type]  # a runtime type: built once and kept
        return await make_request(bot, method)
