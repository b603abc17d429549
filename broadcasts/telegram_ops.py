"""One delivery's Telegram calls: send the parts, edit them (correction), or cancel them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from broadcasts.client import ApiError, BotApi
from broadcasts.render import Marks, Part, render
from broadcasts.store import Job
from models import Checkin, Consultation, DeliveryOp, Notice, NoticeStatus, Urgency

Gate = Callable[[int], Awaitable[None]]  # waits for the chat's pace and a global slot
HTML = {"parse_mode": "HTML"}


def notice_markup(notice_id: int, marks: Marks, *, event: bool = False) -> dict[str, Any]:
    """The "Đã nhận" button (and "Tôi sẽ tham gia" under an event), one big button a row.

    Their data is what handlers.notices.acks packs: "ack:<id>" and "att:<id>"; a reminder passes
    its parent's id, so a press counts for the original notice. Id 0 is the composer's preview.
    """
    rows = [[{"text": marks.ack, "callback_data": f"ack:{notice_id}"}]]
    if event:
        rows.append([{"text": marks.attend, "callback_data": f"att:{notice_id}"}])
    return {"inline_keyboard": rows}


def consult_markup(consult_id: int, options: list[str]) -> dict[str, Any]:
    """A consultation's options, one big button a row: "cv:<consultation id>:<option index>"
    (handlers.engagement.votes packs the same); the label is only what the person reads."""
    rows = [[{"text": f"{i + 1}. {label}"[:60], "callback_data": f"cv:{consult_id}:{i}"}]
            for i, label in enumerate(options)]  # fmt: skip
    return {"inline_keyboard": rows}


def checkin_markup(checkin_id: int, labels: list[str]) -> dict[str, Any]:
    """A safety check-in's three big buttons: "ci:<check-in id>:<answer index>"
    (handlers.engagement.checkins packs the same)."""
    rows = [[{"text": label[:60], "callback_data": f"ci:{checkin_id}:{i}"}]
            for i, label in enumerate(labels)]  # fmt: skip
    return {"inline_keyboard": rows}


async def checkin_options(session: AsyncSession, views: list[NoticeView]) -> None:
    """Give check-in notices their three answer buttons."""
    wanted = {v.parent_id or v.id for v in views if v.kind == "checkin"}
    if wanted:
        rows = await session.execute(
            select(Checkin.notice_id, Checkin.id, Checkin.labels).where(
                Checkin.notice_id.in_(wanted)
            )
        )
        by_notice = {nid: (cid, list(labels)) for nid, cid, labels in rows.tuples()}
        for v in views:
            if v.kind == "checkin" and (found := by_notice.get(v.parent_id or v.id)):
                v.checkin = found


async def consult_options(session: AsyncSession, views: list[NoticeView]) -> None:
    """Give consultation notices (and their reminders) their option buttons."""
    await checkin_options(session, views)
    wanted = {v.parent_id or v.id: v for v in views if v.kind == "consult"}
    if wanted:
        rows = await session.execute(
            select(Consultation.notice_id, Consultation.id, Consultation.options).where(
                Consultation.notice_id.in_(wanted)
            )
        )
        by_notice = {nid: (cid, list(opts)) for nid, cid, opts in rows.tuples()}
        for v in views:
            if v.kind == "consult" and (found := by_notice.get(v.parent_id or v.id)):
                v.consult = found


async def consult_of(session: AsyncSession, notice: Notice) -> tuple[int, list[str]] | None:
    """The consultation's id and options behind a "consult" notice (or its reminder)."""
    if notice.kind != "consult":
        return None
    row = (
        await session.execute(
            select(Consultation.id, Consultation.options).where(
                Consultation.notice_id == (notice.parent_id or notice.id)
            )
        )
    ).first()
    return (row[0], list(row[1])) if row else None


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
    expires_at: datetime | None
    cancel_mode: str
    pin: bool
    parent_id: int | None = None
    event_at: datetime | None = None
    issuer: str | None = None  # named in the header: who speaks
    kind: str = "notice"
    consult: tuple[int, list[str]] | None = None  # a consultation's id and options
    checkin: tuple[int, list[str]] | None = None  # a check-in's id and button labels

    def markup(self, marks: Marks) -> dict[str, Any]:
        if self.consult is not None:
            return consult_markup(*self.consult)
        if self.checkin is not None:
            return checkin_markup(*self.checkin)
        return notice_markup(self.parent_id or self.id, marks, event=self.event_at is not None)


class MediaCache:
    """Upload a notice's photo or document once; every other chat gets it by file_id."""

    def __init__(self, factory: async_sessionmaker[AsyncSession]) -> None:
        self.factory = factory
        self._locks: dict[int, asyncio.Lock] = {}
        self._file_ids: dict[int, str] = {}  # outlives the sender's refreshed notice views

    async def send(
        self, api: BotApi, notice: NoticeView, chat_id: int, caption: str, extra: dict[str, Any]
    ) -> Any:
        kind = notice.media_type or "document"
        method = "sendPhoto" if kind == "photo" else "sendDocument"
        params = {"chat_id": chat_id, "caption": caption, **HTML, **extra}
        if file_id := self._file_ids.get(notice.id) or notice.media_file_id:
            return await api.call(method, {**params, kind: file_id})
        async with self._locks.setdefault(notice.id, asyncio.Lock()):
            if file_id := self._file_ids.get(notice.id):  # uploaded while we waited
                return await api.call(method, {**params, kind: file_id})
            async with self.factory() as session:
                data = await session.scalar(
                    select(Notice.media_bytes).where(Notice.id == notice.id)
                )
            result = await api.upload(method, params, kind, notice.media_name or kind, data or b"")
            file_id = (result["photo"][-1] if kind == "photo" else result["document"])["file_id"]
            notice.media_file_id = self._file_ids[notice.id] = file_id
            async with self.factory() as session:
                await session.execute(
                    update(Notice).where(Notice.id == notice.id).values(media_file_id=file_id)
                )
                await session.commit()
            return result


async def perform(
    api: BotApi, job: Job, notice: NoticeView, marks: Marks, media: MediaCache, gate: Gate
) -> None:
    """Run the job's operation; `job.message_ids` grows as parts are delivered.

    The first call's slot was taken by the caller; `gate(chat_id)` is awaited before others.
    """
    if job.op is DeliveryOp.SEND:
        parts = render(notice.text, marks, media=notice.media_type, issuer=notice.issuer)
        await _send(api, job, notice, parts, media, gate, marks)
    elif job.op is DeliveryOp.EDIT:
        parts = render(
            notice.text, marks, media=notice.media_type, mark="correction", issuer=notice.issuer
        )
        await _edit(api, job, notice, parts, gate, marks)
        if len(parts) > len(job.message_ids):
            await gate(job.chat_id)
            await _send(api, job, notice, parts, media, gate, marks)
    elif notice.cancel_mode == "delete":
        for i, mid in enumerate(job.message_ids):
            if i:
                await gate(job.chat_id)
            await _quietly(api.call("deleteMessage", {"chat_id": job.chat_id, "message_id": mid}))
    else:
        parts = render(
            notice.text, marks, media=notice.media_type, mark="cancelled", issuer=notice.issuer
        )
        await _edit(api, job, notice, parts[:1], gate, None)


async def _quietly(call: Awaitable[Any]) -> None:
    try:
        await call
    except ApiError as exc:
        if not exc.ignorable:
            raise


async def _send(
    api: BotApi,
    job: Job,
    notice: NoticeView,
    parts: list[Part],
    media: MediaCache,
    gate: Gate,
    marks: Marks,
) -> None:
    first = len(job.message_ids)
    for i in range(first, len(parts)):
        part = parts[i]
        if i > first:
            await gate(job.chat_id)
        # The button goes under the last part, where reading ends.
        extra = {"reply_markup": notice.markup(marks)} if i == len(parts) - 1 else {}
        if part.kind in ("photo", "document"):
            message = await media.send(api, notice, job.chat_id, part.html, extra)
        else:
            message = await api.call(
                "sendMessage",
                {
                    "chat_id": job.chat_id,
                    "text": part.html,
                    "link_preview_options": {"is_disabled": True},
                    **HTML,
                    **extra,
                },
            )
        job.message_ids.append(int(message["message_id"]))
        if i == 0 and notice.pin and job.chat_id < 0:
            await _pin(api, job, int(message["message_id"]))


async def _pin(api: BotApi, job: Job, message_id: int) -> None:
    try:
        await api.call(
            "pinChatMessage",
            {"chat_id": job.chat_id, "message_id": message_id, "disable_notification": False},
        )
        job.extra["pinned"] = True
    except ApiError as exc:  # no right to pin: the notice is still delivered
        if exc.code != 400:
            raise
        job.extra["pin_error"] = exc.description[:120]


async def _edit(
    api: BotApi, job: Job, notice: NoticeView, parts: list[Part], gate: Gate, marks: Marks | None
) -> None:
    """Edit delivered parts; with `marks` the last keeps its "Đã nhận" button (a cancel drops
    it, since an edit without reply_markup removes the keyboard)."""
    last = min(len(parts), len(job.message_ids)) - 1
    for i, mid in enumerate(job.message_ids[: len(parts)]):
        if i:
            await gate(job.chat_id)
        target = {"chat_id": job.chat_id, "message_id": mid, **HTML}
        if marks is not None and i == last:
            target["reply_markup"] = notice.markup(marks)
        if i == 0 and notice.media_type:
            await _quietly(api.call("editMessageCaption", {**target, "caption": parts[0].html}))
        else:
            await _quietly(api.call("editMessageText", {**target, "text": parts[i].html}))
