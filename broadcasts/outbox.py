"""The outbox: a notice and all its delivery rows are written in one transaction.

Updating or cancelling a notice re-queues its delivered copies (op edit/cancel) through the
same queue and rate limiter as first sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from broadcasts.audience import resolve
from models import (
    Delivery,
    DeliveryOp,
    DeliveryStatus,
    Notice,
    NoticeStatus,
    Urgency,
    Ward,
    audit,
    rowcount,
    utcnow,
)
from models.errors import Invalid, NotFound

MAX_TEXT = 16_000  # longer notices are split into several messages; beyond this, refuse
CHUNK = 5_000
OPEN = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)


@dataclass(frozen=True)
class Progress:
    notice_id: int
    recipients: int
    sent: int
    failed: int
    unknown: int
    pending: int
    skipped: int
    cancelled: int
    status: str
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__, id=self.notice_id)


async def enqueue(
    session: AsyncSession,
    *,
    ward_id: int,
    text: str,
    audience: dict[str, Any],
    urgency: Urgency = Urgency.NORMAL,
    created_by: int | None = None,
    scheduled_at: datetime | None = None,
    expires_at: datetime | None = None,
    media: tuple[str, str, bytes] | None = None,  # (photo|document, filename, bytes)
    kind: str = "notice",
    notice: Notice | None = None,
    progress_chat_id: int | None = None,
) -> tuple[Notice, list[str]]:
    """Create (or queue an approved draft) and write one delivery per target chat; commits.

    Returns the notice and the names of targeted groups that have no usable chat.
    """
    text = (text or "").strip()
    now = utcnow()
    if not text:
        raise Invalid("notice.empty")
    if len(text) > MAX_TEXT:
        raise Invalid("notice.too_long", limit=MAX_TEXT)
    if expires_at is not None and expires_at <= max(now, scheduled_at or now):
        raise Invalid("notice.expiry_before_send")
    if notice is None:
        notice = Notice(
            ward_id=ward_id,
            text=text,
            urgency=urgency,
            kind=kind,
            created_by=created_by,
            audience=audience,
            pin=urgency is not Urgency.NORMAL,  # urgent ones stay on top of the group chat
        )
        if media:
            notice.media_type, notice.media_name, notice.media_bytes = media
        session.add(notice)
    notice.scheduled_at, notice.expires_at = scheduled_at, expires_at
    if progress_chat_id is not None:  # the author sees a progress message in Telegram
        notice.progress_chat_id = progress_chat_id
    notice.status, notice.queued_at = NoticeStatus.QUEUED, now
    if notice.issuer is None:  # from the CLI or older code: the ward itself speaks
        ward = await session.get(Ward, ward_id)
        notice.issuer = ward.council if ward is not None else None
    await session.flush()
    resolved = await resolve(session, ward_id, audience, notice.urgency)
    due = max(scheduled_at or now, now)
    rows: list[dict[str, Any]] = [
        {
            "notice_id": notice.id,
            "chat_id": t.chat_id,
            "target": t.kind,
            "group_id": t.group_id,
            "resident_id": t.resident_id,
            "priority": notice.urgency.priority,
            "next_attempt_at": due,
            "status": DeliveryStatus.SKIPPED if t.skip_reason else DeliveryStatus.PENDING,
            "last_error": t.skip_reason,
            "op": DeliveryOp.SEND,
            "attempts": 0,
            "message_ids": [],
            "version_sent": 0,
            "updated_at": now,
        }
        for t in resolved.targets
    ]
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(Delivery), rows[start : start + CHUNK])
    audit.record(
        session,
        "notice.queued",
        actor_id=created_by,
        target=f"notice:{notice.id}",
        recipients=len(rows),
        urgency=notice.urgency.value,
    )
    await session.commit()
    return notice, resolved.unbound_groups


async def progress(session: AsyncSession, notice_id: int) -> Progress:
    notice = await session.get(Notice, notice_id, populate_existing=True)
    if notice is None:
        raise NotFound("notice.not_found", id=notice_id)
    counts = dict(
        (
            await session.execute(
                select(Delivery.status, func.count())
                .where(Delivery.notice_id == notice_id)
                .group_by(Delivery.status)
            )
        )
        .tuples()
        .all()
    )
    end = notice.finished_at or utcnow()
    start = notice.queued_at or notice.created_at
    return Progress(
        notice_id,
        sum(counts.values()),
        counts.get(DeliveryStatus.SENT, 0),
        counts.get(DeliveryStatus.FAILED, 0),
        counts.get(DeliveryStatus.UNKNOWN, 0),
        counts.get(DeliveryStatus.PENDING, 0) + counts.get(DeliveryStatus.SENDING, 0),
        counts.get(DeliveryStatus.SKIPPED, 0),
        counts.get(DeliveryStatus.CANCELLED, 0),
        notice.status.value,
        max(0.0, (end - start).total_seconds()),
    )


async def cancel(
    session: AsyncSession,
    notice_id: int,
    actor_id: int | None,
    mode: str = "mark",
    *,
    name: str = "",
) -> Progress:
    """Stop pending copies and mark (or delete) every delivered copy; commits.

    The notice is claimed by one conditional UPDATE, so of two cancels at once exactly one
    goes on (the other gets Invalid, like a notice cancelled before)."""
    notice = await session.get(Notice, notice_id)
    if notice is None:
        raise NotFound("notice.not_found", id=notice_id)
    claimed = await session.execute(
        update(Notice)
        .where(Notice.id == notice_id, Notice.status != NoticeStatus.CANCELLED)
        .values(cancelled_by=actor_id, decided_name=name[:160] or None)
        .execution_options(synchronize_session=False)
    )
    if rowcount(claimed) != 1:
        raise Invalid("notice.already_cancelled")
    await session.refresh(notice)
    # Its reminders go with it: pending ones are dropped, delivered ones marked too.
    children = list(await session.scalars(select(Notice).where(Notice.parent_id == notice_id)))
    for n in (notice, *children):
        if n.status == NoticeStatus.CANCELLED:
            continue
        n.status, n.cancel_mode = NoticeStatus.CANCELLED, mode
        await session.execute(
            update(Delivery)
            .where(
                Delivery.notice_id == n.id,
                Delivery.status == DeliveryStatus.PENDING,
                Delivery.op == DeliveryOp.SEND,
            )
            .values(status=DeliveryStatus.CANCELLED, updated_at=utcnow())
        )
        await requeue_delivered(session, n.id, DeliveryOp.CANCEL, n.urgency.priority)
    audit.record(
        session, "notice.cancelled", actor_id=actor_id, target=f"notice:{notice_id}", mode=mode
    )
    await session.commit()
    return await progress(session, notice_id)


async def correct(
    session: AsyncSession, notice_id: int, text: str, actor_id: int | None
) -> Progress:
    """New text: delivered copies are edited with a "ĐÍNH CHÍNH" mark, pending ones go out
    in the new version; commits."""
    text = (text or "").strip()
    if not text:
        raise Invalid("notice.empty")
    notice = await session.get(Notice, notice_id)
    if notice is None:
        raise NotFound("notice.not_found", id=notice_id)
    if notice.status == NoticeStatus.CANCELLED:
        raise Invalid("notice.already_cancelled")
    notice.text, notice.version = text, notice.version + 1
    await requeue_delivered(session, notice_id, DeliveryOp.EDIT, notice.urgency.priority)
    audit.record(
        session,
        "notice.corrected",
        actor_id=actor_id,
        target=f"notice:{notice_id}",
        version=notice.version,
    )
    await session.commit()
    return await progress(session, notice_id)


async def requeue_delivered(
    session: AsyncSession, notice_id: int | None, op: DeliveryOp, priority: int | None = None
) -> int:
    """Turn delivered copies into pending edit/cancel operations (not those being sent now:
    the sender's sweep catches them once their result is written)."""
    stmt = update(Delivery).where(
        Delivery.status == DeliveryStatus.SENT,
        Delivery.op.in_((DeliveryOp.SEND, DeliveryOp.EDIT)),
    )
    if notice_id is not None:
        stmt = stmt.where(Delivery.notice_id == notice_id)
    values: dict[str, Any] = {
        "status": DeliveryStatus.PENDING,
        "op": op,
        "attempts": 0,
        "next_attempt_at": utcnow(),
        "updated_at": utcnow(),
    }
    if priority is not None:
        values["priority"] = priority
    return rowcount(await session.execute(stmt.values(**values)))
