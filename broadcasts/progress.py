"""The author's progress message in Telegram, edited every few seconds, then a final report.

It carries the "Đính chính" / "Thu hồi" buttons; their data is what handlers.notices.manage's
NoticeCb packs ("nm:<action>:<id>").
"""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from broadcasts import outbox
from broadcasts.client import ApiError, BotApi, NetworkError
from broadcasts.render import Texts
from models import Delivery, DeliveryStatus, Notice, NoticeStatus, ResidentialGroup, TargetKind

logger = logging.getLogger(__name__)


class ProgressReporter:
    """An `on_sweep` hook for the sender."""

    def __init__(
        self,
        api: BotApi,
        factory: async_sessionmaker[AsyncSession],
        catalog: Texts,
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
                        Notice.status,
                    ).where(
                        Notice.progress_chat_id.is_not(None),
                        Notice.queued_at.is_not(None),
                        or_(Notice.finished_at.is_(None), Notice.id.in_(finished or [0])),
                    )
                )
            )
            for notice_id, chat_id, message_id, finished_at, status in notices:
                p = await outbox.progress(session, notice_id)
                done = finished_at is not None
                unpinned = await pin_failures(session, notice_id) if done else []
                markup = None if status is NoticeStatus.CANCELLED else self._markup(notice_id)
                shown = await self._show(p, chat_id, message_id, done, unpinned, markup)
                if message_id is None and shown is not None:  # edit this one from now on
                    await session.execute(
                        update(Notice)
                        .where(Notice.id == notice_id)
                        .values(progress_message_id=shown)
                    )
                    await session.commit()

    def _markup(self, notice_id: int) -> dict[str, Any]:
        buttons = (("manage.fix_button", "fix"), ("manage.recall_button", "recall"))
        return {
            "inline_keyboard": [
                [
                    {
                        "text": self.catalog.text(key, self.language),
                        "callback_data": f"nm:{action}:{notice_id}",
                    }
                    for key, action in buttons
                ]
            ]
        }

    async def _show(
        self,
        p: outbox.Progress,
        chat_id: int,
        message_id: int | None,
        done: bool,
        unpinned: list[str],
        markup: dict[str, Any] | None,
    ) -> int | None:
        """Send or edit the progress message; returns the id of a newly sent one."""
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
        if unpinned:
            groups = ", ".join(unpinned)
            text += "\n" + self.catalog.text("notice.pin_failed", self.language, groups=groups)
        payload: dict[str, Any] = {"chat_id": chat_id, "text": text}
        if markup is not None:
            payload["reply_markup"] = markup
        try:
            if message_id is None:
                sent = await self.api.call("sendMessage", payload)
                return int(sent["message_id"])
            await self.api.call("editMessageText", {**payload, "message_id": message_id})
        except (ApiError, NetworkError) as exc:  # "message is not modified" and the like
            logger.debug("progress for notice %s not shown: %s", p.notice_id, exc)
        return None


async def pin_failures(session: AsyncSession, notice_id: int) -> list[str]:
    """Groups whose chat got the notice but not the pin (the bot may not pin there).

    The sender writes the pin error into `last_error` of an otherwise sent copy.
    """
    rows = await session.scalars(
        select(ResidentialGroup.name)
        .join(Delivery, Delivery.group_id == ResidentialGroup.id)
        .where(
            Delivery.notice_id == notice_id,
            Delivery.target == TargetKind.GROUP,
            Delivery.status == DeliveryStatus.SENT,
            Delivery.last_error.is_not(None),
        )
        .order_by(ResidentialGroup.sort_key, ResidentialGroup.name)
    )
    return list(rows)
