"""The sender's database side: claim due rows, write results in batches, sweep.

Claims are `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING`, so two workers
never hold the same row; a claim carries a lease, and an expired lease makes the row claimable
again (that is how a crashed sender's rows are resumed). Results are written only while the
claim token still matches, so a worker that lost its lease cannot overwrite another's result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import Delivery, DeliveryOp, DeliveryStatus, Notice, NoticeStatus, TargetKind, utcnow

T = cast(Table, Delivery.__table__)  # typed as a FromClause; a mapped class's is a Table


@dataclass
class Job:
    id: int
    notice_id: int
    chat_id: int
    op: DeliveryOp
    priority: int
    attempts: int
    message_ids: list[int]
    version_sent: int
    target: TargetKind
    group_id: int | None
    resident_id: int | None
    lease_until: datetime
    migrated: bool = False
    resent: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Result:
    job: Job
    status: DeliveryStatus
    next_attempt_at: datetime | None = None
    error: str | None = None
    sent: bool = False  # a message was delivered (sets sent_at)
    version: int | None = None  # the notice version the copy now shows


_RETURNED = (
    Delivery.id,
    Delivery.notice_id,
    Delivery.chat_id,
    Delivery.op,
    Delivery.priority,
    Delivery.attempts,
    Delivery.message_ids,
    Delivery.version_sent,
    Delivery.target,
    Delivery.group_id,
    Delivery.resident_id,
)


async def claim(
    factory: async_sessionmaker[AsyncSession], claim_id: str, limit: int, lease: timedelta
) -> list[Job]:
    now = utcnow()
    due = (
        select(Delivery.id)
        .where(
            or_(
                Delivery.status == DeliveryStatus.PENDING,
                and_(Delivery.status == DeliveryStatus.SENDING, Delivery.lease_until < now),
            ),
            Delivery.next_attempt_at <= now,
        )
        .order_by(Delivery.priority, Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    until = now + lease
    stmt = (
        update(Delivery)
        .where(Delivery.id.in_(due.scalar_subquery()))
        .values(status=DeliveryStatus.SENDING, claim=claim_id, lease_until=until, updated_at=now)
        .returning(*_RETURNED)
        .execution_options(synchronize_session=False)
    )
    async with factory() as session:
        rows = (await session.execute(stmt)).all()
        await session.commit()
    jobs = [Job(**row._asdict(), lease_until=until) for row in rows]
    jobs.sort(key=lambda j: (j.priority, j.id))
    return jobs


_WRITE = (
    T.update()
    .where(T.c.id == bindparam("b_id"), T.c.claim == bindparam("b_claim"))
    .values(
        status=bindparam("b_status"),
        attempts=bindparam("b_attempts"),
        next_attempt_at=bindparam("b_next"),
        message_ids=bindparam("b_mids"),
        version_sent=bindparam("b_version"),
        last_error=bindparam("b_error"),
        sent_at=bindparam("b_sent_at"),
        chat_id=bindparam("b_chat"),
        claim=None,
        lease_until=None,
        updated_at=bindparam("b_now"),
    )
)


async def write(
    factory: async_sessionmaker[AsyncSession], claim_id: str, results: list[Result]
) -> None:
    """Write a batch of results in one transaction (group commit)."""
    now = utcnow()
    params = [
        {
            "b_id": r.job.id,
            "b_claim": claim_id,
            "b_status": r.status,
            "b_attempts": r.job.attempts,
            "b_next": r.next_attempt_at or now,
            "b_mids": r.job.message_ids,
            "b_version": r.version or r.job.version_sent,
            "b_error": (r.error or None) and r.error[:255],
            "b_now": now,
            "b_sent_at": now if r.sent else r.job.extra.get("sent_at"),
            "b_chat": r.job.chat_id,
        }
        for r in results
    ]
    async with factory() as session:
        await session.execute(_WRITE, params)
        await session.commit()


async def renew(
    factory: async_sessionmaker[AsyncSession], claim_id: str, lease: timedelta
) -> tuple[datetime, datetime]:
    """Heartbeat: extend the lease of every row this claim still holds (not of rows whose
    lease already ran out: another sender may have them). Returns (now, new lease end)."""
    now = utcnow()
    until = now + lease
    # Rows the writer is finishing right now are locked: skip them (they are done anyway)
    # rather than wait, or the two transactions could lock rows in opposite orders.
    held = (
        select(Delivery.id)
        .where(
            Delivery.claim == claim_id,
            Delivery.status == DeliveryStatus.SENDING,
            Delivery.lease_until > now,
        )
        .with_for_update(skip_locked=True)
    )
    async with factory() as session:
        await session.execute(
            update(Delivery)
            .where(Delivery.id.in_(held.scalar_subquery()))
            .values(lease_until=until)
            .execution_options(synchronize_session=False)
        )
        await session.commit()
    return now, until


async def release(
    factory: async_sessionmaker[AsyncSession], claim_id: str, ids: list[int]
) -> None:
    """Give unsent claimed rows back (clean shutdown), so another sender can take them now."""
    if not ids:
        return
    async with factory() as session:
        await session.execute(
            update(Delivery)
            .where(
                Delivery.id.in_(ids),
                Delivery.claim == claim_id,
                Delivery.status == DeliveryStatus.SENDING,
            )
            .values(status=DeliveryStatus.PENDING, claim=None, lease_until=None)
            .execution_options(synchronize_session=False)
        )
        await session.commit()


async def sweep(factory: async_sessionmaker[AsyncSession]) -> list[int]:
    """Expire late rows, re-queue copies that raced an update or cancel, finish notices.

    Returns the ids of notices that finished in this sweep.
    """
    now = utcnow()
    async with factory() as session:
        expired = select(Notice.id).where(Notice.expires_at <= now).scalar_subquery()
        await session.execute(
            update(Delivery)
            .where(
                Delivery.notice_id.in_(expired),
                Delivery.op == DeliveryOp.SEND,
                or_(
                    Delivery.status == DeliveryStatus.PENDING,
                    and_(Delivery.status == DeliveryStatus.SENDING, Delivery.lease_until < now),
                ),
            )
            .values(
                status=DeliveryStatus.SKIPPED, last_error="expired", claim=None, updated_at=now
            )
            .execution_options(synchronize_session=False)
        )
        cancelled = select(Notice.id).where(Notice.status == NoticeStatus.CANCELLED)
        await session.execute(
            update(Delivery)
            .where(
                Delivery.notice_id.in_(cancelled.scalar_subquery()),
                Delivery.status == DeliveryStatus.SENT,
                Delivery.op.in_((DeliveryOp.SEND, DeliveryOp.EDIT)),
            )
            .values(
                status=DeliveryStatus.PENDING,
                op=DeliveryOp.CANCEL,
                next_attempt_at=now,
                attempts=0,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        version = select(Notice.version).where(Notice.id == Delivery.notice_id).scalar_subquery()
        await session.execute(
            update(Delivery)
            .where(
                Delivery.status == DeliveryStatus.SENT,
                Delivery.op.in_((DeliveryOp.SEND, DeliveryOp.EDIT)),
                Delivery.version_sent < version,
            )
            .values(
                status=DeliveryStatus.PENDING,
                op=DeliveryOp.EDIT,
                next_attempt_at=now,
                attempts=0,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        open_rows = exists().where(
            Delivery.notice_id == Notice.id,
            Delivery.status.in_((DeliveryStatus.PENDING, DeliveryStatus.SENDING)),
        )
        finished = list(
            await session.scalars(
                update(Notice)
                .where(
                    Notice.status.in_((NoticeStatus.QUEUED, NoticeStatus.CANCELLED)),
                    Notice.finished_at.is_(None),
                    Notice.queued_at.is_not(None),
                    ~open_rows,
                )
                .values(finished_at=now)
                .returning(Notice.id)
                .execution_options(synchronize_session=False)
            )
        )
        if finished:
            await session.execute(
                update(Notice)
                .where(
                    Notice.id.in_(finished),
                    Notice.status == NoticeStatus.QUEUED,
                )
                .values(status=NoticeStatus.DONE)
                .execution_options(synchronize_session=False)
            )
        await session.commit()
    return finished


async def next_due(factory: async_sessionmaker[AsyncSession]) -> datetime | None:
    """When the earliest pending row becomes due (for an idle sender's ticker)."""
    async with factory() as session:
        return await session.scalar(
            select(Delivery.next_attempt_at)
            .where(Delivery.status == DeliveryStatus.PENDING)
            .order_by(Delivery.next_attempt_at)
            .limit(1)
        )
