"""One delivery's Telegram calls: send the parts, edit them (correction), or cancel them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile, Message
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from broadcasts.render import Marks, Part, render
from broadcasts.store import Job
from models import DeliveryOp, Notice, NoticeStatus, Urgency

logger = logging.getLogger(__name__)
Gate = Callable[[int], Awaitable[None]]  # waits for the chat's pace and a global slot


@dataclass
class NoticeView:
    id: int
    text: str
    version: int
    urgency: Urgency
    status: NoticeStatus
    media_type: str | None
    media_name: str | None
    media_file_id: str | None
    expires_at: object
    cancel_mode: str
    pin: bool


class MediaCache:
    """Upload a notice's photo or document once; every other chat gets it by file_id."""

    def __init__(self, factory: async_sessionmaker[AsyncSession]) -> None:
        self.factory = factory
        self._locks: dict[int, asyncio.Lock] = {}

    async def input_for(self, notice: NoticeView) -> tuple[str | BufferedInputFile, bool]:
        """(file_id or upload, is_upload). Holds a per-notice lock while an upload is pending."""
        if notice.media_file_id:
            return notice.media_file_id, False
        lock = self._locks.setdefault(notice.id, asyncio.Lock())
        await lock.acquire()
        if notice.media_file_id:  # someone uploaded while we waited
            lock.release()
            return notice.media_file_id, False
        async with self.factory() as session:
            data = await session.scalar(select(Notice.media_bytes).where(Notice.id == notice.id))
        return BufferedInputFile(data or b"", filename=notice.media_name or "file"), True

    async def uploaded(self, notice: NoticeView, message: Message | None) -> None:
        lock = self._locks.get(notice.id)
        try:
            file_id = None
            if message is not None and message.photo:
                file_id = message.photo[-1].file_id
            elif message is not None and message.document:
                file_id = message.document.file_id
            if file_id:
                notice.media_file_id = file_id
                async with self.factory() as session:
                    await session.execute(
                        update(Notice).where(Notice.id == notice.id).values(media_file_id=file_id)
                    )
                    await session.commit()
        finally:
            if lock is not None and lock.locked():
                lock.release()


def _ignorable(exc: TelegramBadRequest) -> bool:
    text = exc.message.lower()
    return "message is not modified" in text or "message to delete not found" in text


async def perform(
    bot: Bot,
    job: Job,
    notice: NoticeView,
    marks: Marks,
    media: MediaCache,
    gate: Gate,
    timeout: float,
) -> None:
    """Run the job's operation; `job.message_ids` grows as parts are delivered.

    The first call's slot was taken by the caller; `gate(chat_id)` is awaited before others.
    """
    if job.op is DeliveryOp.SEND:
        await _send(
            bot,
            job,
            notice,
            render(notice.text, marks, media=notice.media_type),
            media,
            gate,
            timeout,
        )
    elif job.op is DeliveryOp.EDIT:
        parts = render(notice.text, marks, media=notice.media_type, mark="correction")
        await _edit(bot, job, notice, parts, gate, timeout)
        if len(parts) > len(job.message_ids):
            await _send(bot, job, notice, parts, media, gate, timeout, first_gated=False)
    elif notice.cancel_mode == "delete":
        for i, mid in enumerate(job.message_ids):
            if i:
                await gate(job.chat_id)
            try:
                await bot.delete_message(job.chat_id, mid, request_timeout=timeout)
            except TelegramBadRequest as exc:
                if not _ignorable(exc):
                    raise
    else:
        parts = render(notice.text, marks, media=notice.media_type, mark="cancelled")
        await _edit(bot, job, notice, parts[:1], gate, timeout)


async def _send(
    bot: Bot,
    job: Job,
    notice: NoticeView,
    parts: list[Part],
    media: MediaCache,
    gate: Gate,
    timeout: float,
    first_gated: bool = True,
) -> None:
    for i in range(len(job.message_ids), len(parts)):
        part = parts[i]
        if i or not first_gated:
            await gate(job.chat_id)
        if part.kind in ("photo", "document"):
            file, upload = await media.input_for(notice)
            message = None
            try:
                if part.kind == "photo":
                    message = await bot.send_photo(
                        job.chat_id, file, caption=part.html, request_timeout=timeout
                    )
                else:
                    message = await bot.send_document(
                        job.chat_id, file, caption=part.html, request_timeout=timeout
                    )
            finally:
                if upload:
                    await media.uploaded(notice, message)
        else:
            message = await bot.send_message(job.chat_id, part.html, request_timeout=timeout)
        job.message_ids.append(message.message_id)
        if i == 0 and notice.pin and job.chat_id < 0:
            await _pin(bot, job, message.message_id, timeout)


async def _pin(bot: Bot, job: Job, message_id: int, timeout: float) -> None:
    try:
        await bot.pin_chat_message(
            job.chat_id, message_id, disable_notification=False, request_timeout=timeout
        )
        job.extra["pinned"] = True
    except TelegramBadRequest as exc:  # no right to pin: the notice is still delivered
        job.extra["pin_error"] = exc.message[:120]


async def _edit(
    bot: Bot, job: Job, notice: NoticeView, parts: list[Part], gate: Gate, timeout: float
) -> None:
    for i, mid in enumerate(job.message_ids[: len(parts)]):
        if i:
            await gate(job.chat_id)
        try:
            if i == 0 and notice.media_type:
                await bot.edit_message_caption(
                    chat_id=job.chat_id,
                    message_id=mid,
                    caption=parts[0].html,
                    request_timeout=timeout,
                )
            else:
                await bot.edit_message_text(
                    parts[i].html, chat_id=job.chat_id, message_id=mid, request_timeout=timeout
                )
        except TelegramBadRequest as exc:
            if not _ignorable(exc):
                raise
