"""The update queue: getUpdates long polling, webhook bookkeeping and query tracking."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass
from itertools import islice
from typing import Any

from .errors import ApiError
from .state import StateCore

__all__ = ["UpdateQueue", "WebhookConfig", "WebhookDelivery", "update_type"]

logger = logging.getLogger(__name__)

WEBHOOK_CONFLICT = ApiError(
    409,
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first",
)
POLL_CONFLICT = ApiError(
    409,
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
)


def update_type(update: dict[str, Any]) -> str:
    """The update's kind (``message``, ``callback_query``, ...)."""
    for key in update:
        if key != "update_id":
            return key
    return ""


@dataclass(slots=True)
class WebhookConfig:
    """What ``setWebhook`` configured; an empty ``url`` means polling mode."""

    url: str = ""
    secret_token: str | None = None
    allowed_updates: list[str] | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass(slots=True)
class WebhookDelivery:
    """The outcome of POSTing one update to the webhook (``status`` None = no response)."""

    update_id: int
    url: str
    status: int | None
    error: str | None
    secret_sent: bool
    duration: float
    reply_method: str | None = None


class UpdateQueue(StateCore):
    """Pushed updates waiting for getUpdates confirmation or webhook delivery."""

    def __init__(self, token: str | None = None, bot_user: dict[str, Any] | None = None) -> None:
        super().__init__(token, bot_user)
        self._updates: deque[dict[str, Any]] = deque()
        self._update_seq = 0
        self._query_seq = 0
        self._poll_future: asyncio.Future[str] | None = None
        self._poll_parked = asyncio.Event()
        self._webhook_inflight = 0
        self._consumed = asyncio.Event()
        self._consumed.set()
        self.webhook = WebhookConfig()
        self.webhook_deliveries: list[WebhookDelivery] = []
        self.allowed_updates: list[str] | None = None
        self.open_queries: dict[str, str] = {}
        self.pushed_updates: list[dict[str, Any]] = []

    # ---------------------------------------------------------------- pushing
    def push_update(self, update: dict[str, Any]) -> int:
        """Queue (or deliver to the webhook) a Bot API update; returns its ``update_id``."""
        self._update_seq += 1
        update["update_id"] = update_id = self._update_seq
        self.register_update(update)
        self.pushed_updates.append(update)
        allowed = self.webhook.allowed_updates if self.webhook.url else self.allowed_updates
        if allowed and update_type(update) not in allowed:
            logger.debug("update %s (%s) dropped by allowed_updates", update_id, allowed)
            return update_id
        self._consumed.clear()
        if self.webhook.url:
            self._webhook_inflight += 1
            self._deliver_webhook(update)
        else:
            self._updates.append(update)
            future = self._poll_future
            if future is not None and not future.done():
                future.set_result("updates")
        return update_id

    def register_update(self, update: dict[str, Any]) -> None:
        """Note an update fed to the bot directly (not pushed): opens its callback or inline
        query so the bot may answer it, and remembers its sender."""
        for key in ("callback_query", "inline_query"):
            query = update.get(key)
            if query is not None:
                self.open_queries[str(query["id"])] = key
        body = update.get(update_type(update))
        if isinstance(body, dict):
            sender = body.get("from")
            if isinstance(sender, dict) and not sender.get("is_bot") and "id" in sender:
                self.users.setdefault(sender["id"], sender)

    def _deliver_webhook(self, update: dict[str, Any]) -> None:
        """Start delivering ``update`` to the webhook (implemented by the server)."""
        raise NotImplementedError

    def route_queued_to_webhook(self) -> None:
        """Hand every queued update to the webhook (after ``setWebhook``)."""
        while self._updates:
            self._webhook_inflight += 1
            self._deliver_webhook(self._updates.popleft())
        self._check_consumed()

    def webhook_answered(self, delivery: WebhookDelivery) -> None:
        """Book-keep a finished webhook delivery."""
        self.webhook_deliveries.append(delivery)
        self._webhook_inflight -= 1
        self._check_consumed()

    # -------------------------------------------------------------- consuming
    def pending_updates(self) -> int:
        """Updates not yet confirmed by getUpdates or answered by the webhook."""
        return len(self._updates) + self._webhook_inflight

    def _check_consumed(self) -> None:
        if not self._updates and self._webhook_inflight <= 0:
            self._consumed.set()

    async def wait_updates_consumed(self, timeout: float = 5.0) -> None:
        """Wait until every pushed update was confirmed (getUpdates offset) or answered.

        With aiogram polling, an update is confirmed by the *next* getUpdates call, i.e.
        once it has been handed to the dispatcher (not necessarily fully handled).
        """
        try:
            await asyncio.wait_for(self._consumed.wait(), timeout)
        except TimeoutError:
            raise TimeoutError(
                f"{self.pending_updates()} pushed update(s) still unconsumed after {timeout:g}s"
                f" (webhook={'on' if self.webhook.url else 'off'}); recent calls:\n"
                f"{self.describe_recent()}"
            ) from None

    def confirm_updates(self, offset: int) -> None:
        """Apply a getUpdates ``offset``: forget updates with smaller ids."""
        queue = self._updates
        if offset < 0:
            while len(queue) > -offset:
                queue.popleft()
        else:
            while queue and queue[0]["update_id"] < offset:
                queue.popleft()
        self._check_consumed()

    def drop_pending_updates(self) -> None:
        """Forget every queued update (``drop_pending_updates=True``)."""
        self._updates.clear()
        self._check_consumed()

    def _take(self, limit: int) -> list[dict[str, Any]]:
        allowed = self.allowed_updates
        if allowed and any(update_type(u) not in allowed for u in self._updates):
            self._updates = deque(u for u in self._updates if update_type(u) in allowed)
            self._check_consumed()
        return list(islice(self._updates, limit))

    async def poll_updates(
        self,
        offset: int | None = None,
        limit: int = 100,
        timeout: float = 0,
        allowed_updates: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        """getUpdates semantics: confirm, return at once if anything is queued, else wait."""
        if self.webhook.url:
            raise WEBHOOK_CONFLICT
        if allowed_updates is not None:
            self.allowed_updates = list(allowed_updates) or None
        if offset:
            self.confirm_updates(offset)
        limit = min(max(int(limit or 100), 1), 100)
        previous = self._poll_future
        if previous is not None and not previous.done():
            previous.set_result("conflict")
        if self._updates or not timeout or timeout <= 0:
            return self._take(limit)
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._poll_future = future
        self._poll_parked.set()
        try:
            outcome = await asyncio.wait_for(future, float(timeout))
        except TimeoutError:
            outcome = "timeout"
        finally:
            if self._poll_future is future:
                self._poll_future = None
                self._poll_parked.clear()
        if outcome == "conflict":
            raise POLL_CONFLICT
        if self.webhook.url:
            raise WEBHOOK_CONFLICT
        return self._take(limit)

    @property
    def polling(self) -> bool:
        """True while a getUpdates long poll is parked waiting for updates."""
        return self._poll_parked.is_set()

    async def wait_polling(self, timeout: float = 5.0) -> None:
        """Wait until the bot has a getUpdates long poll parked (it is idle and listening)."""
        try:
            await asyncio.wait_for(self._poll_parked.wait(), timeout)
        except TimeoutError:
            raise TimeoutError(
                f"no getUpdates long poll arrived within {timeout:g}s; recent calls:\n"
                f"{self.describe_recent()}"
            ) from None

    def wake_pollers(self) -> None:
        """Release a pending long poll (used on shutdown)."""
        future = self._poll_future
        if future is not None and not future.done():
            future.set_result("closed")
