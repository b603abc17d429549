"""The author's progress message in Telegram, edited every few seconds, then a final report."""

from __future__ import annotations

import logging
import time

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.catalog import Catalog
from broadcasts import outbox
from broadcasts.client import ApiError, BotApi, NetworkError
from models import Notice

logger = logging.getLogger(__name__)


class ProgressReporter:
    """An `on_sweep` hook for the sender."""

    def __init__(
        self,
        api: BotApi,
        factory: async_sessionmaker[AsyncSession],
        catalog: Catalog,
        language: str,
        every: float = 3.0,
    ) -> None:
        self.api, self.factory, self.catalog, self.language = api, factory, catalog, language
        self.every = every
        self._last = 0.0

    async def __call__(self, finished: list[int]) -> None:
        now = time.monotonic()
        if not finished and now - self._last < self.every:
            return
        self._last = now
        async with self.factory() as session:
            notices = list(
                await session.execute(
                    select(
                        Notice.id,
                        Notice.progress_chat_id,
                        Notice.progress_message_id,
                        Notice.finished_at,
                    ).where(
                        Notice.progress_chat_id.is_not(None),
                        Notice.queued_at.is_not(None),
                        or_(Notice.finished_at.is_(None), Notice.id.in_(finished or [0])),
                    )
                )
            )
            for notice_id, chat_id, message_id, finished_at in notices:
                p = await outbox.progress(session, notice_id)
                await self._show(p, chat_id, message_id, done=finished_at is not None)

    async def _show(
        self, p: outbox.Progress, chat_id: int, message_id: int | None, done: bool
    ) -> None:
        rate = p.sent / p.seconds if p.seconds else 0.0
        params = dict(
            id=p.notice_id,
            sent=p.sent,
            total=p.recipients,
            failed=p.failed,
            unknown=p.unknown,
            pending=p.pending,
            skipped=p.skipped,
            seconds=round(p.seconds),
            eta=round(p.pending / rate) if rate else "?",
        )
        text = (
            self.catalog.text("notice.progress_done", self.language, **params)
            if done
            else self.catalog.text("notice.progress", self.language, **params)
        )
        try:
            if message_id is None:
                await self.api.call("sendMessage", {"chat_id": chat_id, "text": text})
            else:
                await self.api.call(
                    "editMessageText", {"chat_id": chat_id, "text": text, "message_id": message_id}
                )
        except (ApiError, NetworkError) as exc:  # "message is not modified" and the like
            logger.debug("progress for notice %s not shown: %s", p.notice_id, exc)
