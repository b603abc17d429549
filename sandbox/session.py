"""An aiogram session answered by a sandbox in the same process: no HTTP, no network.

For benchmarks of update handling, where the cost of the dispatcher and the database is what
is measured, not a socket's. Tests keep talking HTTP to the sandbox.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any, cast

from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType

from .parsing import coerce_params

if TYPE_CHECKING:
    from aiogram import Bot

    from .server import Sandbox


class InProcessSession(BaseSession):
    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__()
        self.sandbox = sandbox

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        fields: dict[str, str] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files={})
            if prepared:
                fields[key] = prepared
        status, body = await self.sandbox.call_api(
            method.__api_method__, coerce_params(fields), bot.token
        )
        response = self.check_response(bot, method, status, json.dumps(body))
        return cast(TelegramType, response.result)

    async def stream_content(self, *args: Any, **kwargs: Any) -> AsyncGenerator[bytes, None]:
        raise NotImplementedError("no files in process")
        yield b""  # pragma: no cover

    async def close(self) -> None:
        return None
