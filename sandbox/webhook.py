"""Webhook delivery: POST pushed updates to the bot, as Telegram does."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from aiohttp import ClientSession, ClientTimeout, MultipartReader

from .builders import SandboxState
from .parsing import coerce_params, read_multipart
from .updates import WebhookDelivery

__all__ = ["SECRET_HEADER", "WebhookSender"]

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookSender(SandboxState):
    """Delivers updates to ``webhook.url`` (at most ``max_connections`` at a time).

    There are no retries: every update is delivered once and counts as consumed when
    the webhook answered (any status) or the connection failed; the outcome is appended
    to :attr:`webhook_deliveries`.  A method returned in a 2xx reply body (aiogram's
    ``handle_in_background=False`` mode) is executed like an API call.
    """

    def __init__(
        self,
        token: str | None = None,
        bot_user: dict[str, Any] | None = None,
        *,
        webhook_timeout: float = 10.0,
    ) -> None:
        super().__init__(token, bot_user)
        self.webhook_timeout = webhook_timeout
        self._client: ClientSession | None = None
        self._webhook_tasks: set[asyncio.Task[None]] = set()
        self._webhook_slots: tuple[int, asyncio.Semaphore] | None = None
        self._last_token = token or ""

    async def call_api(
        self, method: str, params: dict[str, Any], token: str = ""
    ) -> tuple[int, dict[str, Any]]:
        """Run one API call without HTTP (implemented by the server)."""
        raise NotImplementedError

    async def close_webhook_client(self) -> None:
        """Cancel deliveries in flight and close the HTTP client."""
        for task in list(self._webhook_tasks):
            task.cancel()
        if self._webhook_tasks:
            await asyncio.gather(*self._webhook_tasks, return_exceptions=True)
        if self._client is not None:
            client, self._client = self._client, None
            await client.close()

    def _deliver_webhook(self, update: dict[str, Any]) -> None:
        task = asyncio.get_running_loop().create_task(self._post_update(update))
        self._webhook_tasks.add(task)
        task.add_done_callback(self._webhook_tasks.discard)

    def _slots(self) -> asyncio.Semaphore:
        limit = max(1, self.webhook.max_connections)
        if self._webhook_slots is None or self._webhook_slots[0] != limit:
            self._webhook_slots = (limit, asyncio.Semaphore(limit))
        return self._webhook_slots[1]

    async def _post_update(self, update: dict[str, Any]) -> None:
        hook = self.webhook
        url, secret = hook.url, hook.secret_token
        headers = {SECRET_HEADER: secret} if secret else {}
        status: int | None = None
        error: str | None = None
        reply: str | None = None
        started = time.monotonic()
        try:
            async with self._slots():
                if self._client is None:
                    self._client = ClientSession()
                timeout = ClientTimeout(total=self.webhook_timeout)
                async with self._client.post(
                    url, json=update, headers=headers, timeout=timeout
                ) as resp:
                    status = resp.status
                    if 200 <= status < 300:
                        reply = await self._webhook_reply(resp)
                    else:
                        error = f"Wrong response from the webhook: {status} {resp.reason}"
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # any delivery failure is reported
            error = f"Connection failed: {type(exc).__name__}: {exc}"
        if error is not None:
            hook.last_error_date = int(time.time())
            hook.last_error_message = error
            logger.debug("webhook delivery of %s failed: %s", update["update_id"], error)
        delivery = WebhookDelivery(
            update["update_id"], url, status, error, bool(secret), time.monotonic() - started
        )
        delivery.reply_method = reply
        self.webhook_answered(delivery)

    async def _webhook_reply(self, resp: Any) -> str | None:
        """Execute a method returned in the webhook response body, as Telegram does."""
        if resp.content_type.startswith("multipart/"):
            fields, uploads = await read_multipart(MultipartReader(resp.headers, resp.content))
            method = fields.pop("method", None)
            params = coerce_params(fields, uploads)
        elif resp.content_type == "application/json":
            body = await resp.json()
            if not isinstance(body, dict) or "method" not in body:
                return None
            params = dict(body)
            method = params.pop("method")
        else:
            return None
        if not method:
            return None
        await self.call_api(str(method), params, self._last_token)
        return str(method)
