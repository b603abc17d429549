"""A lean Bot API client for the sender's hot path (plain JSON over aiohttp).

aiogram is built for handlers: it validates every answer into pydantic models and builds
multipart forms, which costs about a millisecond per call and ~130 MB of imports. The sender
only needs a few methods and the raw answer, so it speaks JSON directly; the bot's handlers keep
using aiogram. Errors come back as `ApiError` (Telegram answered) or `NetworkError`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import aiohttp


class ApiError(Exception):
    """Telegram answered ok=false."""

    def __init__(
        self, method: str, code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        self.method, self.code, self.description = method, code, description
        parameters = parameters or {}
        self.retry_after: int | None = parameters.get("retry_after")
        self.migrate_to_chat_id: int | None = parameters.get("migrate_to_chat_id")
        super().__init__(f"{method}: {code} {description}")

    @property
    def ignorable(self) -> bool:
        """An edit that changes nothing, or a delete of what is already gone."""
        text = self.description.lower()
        return "message is not modified" in text or "message to delete not found" in text


class NetworkError(Exception):
    """No answer. `maybe_sent`: the request may have reached Telegram (a timeout)."""

    def __init__(self, method: str, message: str, *, maybe_sent: bool) -> None:
        self.method, self.maybe_sent = method, maybe_sent
        super().__init__(f"{method}: {message}")


class BotApi:
    def __init__(
        self, base_url: str, token: str, *, timeout: float = 10.0, connections: int = 256
    ) -> None:
        self.url = f"{base_url.rstrip('/')}/bot{token}/"
        self.bot_id = int(token.split(":", 1)[0])
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._connections = connections
        self._http: aiohttp.ClientSession | None = None
        self.observe: Callable[[float], None] | None = None  # told every answer's round trip

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                json_serialize=lambda o: json.dumps(o, ensure_ascii=False),
            )
        return self._http

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        return await self._request(method, json=params)

    async def upload(
        self, method: str, params: dict[str, Any], field: str, filename: str, data: bytes
    ) -> Any:
        form = aiohttp.FormData()
        for key, value in params.items():
            form.add_field(key, value if isinstance(value, str) else json.dumps(value))
        form.add_field(field, data, filename=filename)
        return await self._request(method, data=form)

    async def _request(self, method: str, **body: Any) -> Any:
        started = time.monotonic()
        try:
            async with self._session().post(
                self.url + method, timeout=self.timeout, **body
            ) as resp:
                answer = await resp.json(content_type=None)
            if self.observe is not None:
                self.observe(time.monotonic() - started)
        except TimeoutError:
            raise NetworkError(method, "Request timeout error", maybe_sent=True) from None
        except (aiohttp.ClientError, json.JSONDecodeError) as exc:
            raise NetworkError(method, f"{type(exc).__name__}: {exc}", maybe_sent=False) from None
        if answer.get("ok"):
            return answer.get("result")
        raise ApiError(
            method,
            int(answer.get("error_code") or resp.status),
            str(answer.get("description") or ""),
            answer.get("parameters"),
        )


__all__ = ["ApiError", "BotApi", "NetworkError"]
