"""Notices: how many, of which kind, how recent, how early before their event, and how their
delivery went (sent, failed, blocked; minutes until 95% of their chats had them)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.stats.period import Period, median, minutes
from bot.services.stats.reach import per_group
from models import Delivery, DeliveryOp, DeliveryStatus, Notice, TargetKind

SHORT_NOTICE = timedelta(days=3)
REACHED = 0.95


@dataclass
class Scope:
    """The notices `ward_stats` looks at: published ones, not reminders, nothing after `until`."""

    published: ColumnElement[bool]
    in_period: ColumnElement[bool]
    until: datetime

    @classmethod
    def of(cls, ward_id: int, period: Period, until: datetime) -> Scope:
        published = and_(
            Notice.ward_id == ward_id,
            Notice.parent_id.is_(None),
            Notice.queued_at.is_not(None),
            Notice.queued_at < until,
        )
        return cls(published, and_(published, Notice.queued_at >= period.since), until)


IN_GROUP_CHAT = and_(Delivery.notice_id == Notice.id, Delivery.target == TargetKind.GROUP)


@dataclass
class NoticeFigures:
    total: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    last: datetime | None = None
    last_group: dict[int, datetime] = field(default_factory=dict)
    per_group: dict[int, int] = field(default_factory=dict)
    events: int = 0
    lead_median_days: float | None = None
    short_notice: int = 0


async def notices(session: AsyncSession, scope: Scope) -> NoticeFigures:
    out = NoticeFigures()
    kinds = await session.execute(
        select(Notice.kind, func.count(Notice.id)).where(scope.in_period).group_by(Notice.kind)
    )
    out.by_kind = {kind: int(n) for kind, n in sorted(kinds.all())}
    out.total = sum(out.by_kind.values())
    out.last = await session.scalar(select(func.max(Notice.queued_at)).where(scope.published))
    out.last_group = await per_group(
        session,
        select(Delivery.group_id, func.max(Notice.queued_at))
        .join(Notice, IN_GROUP_CHAT)
        .where(scope.published)
        .group_by(Delivery.group_id),
    )
    out.per_group = await per_group(
        session,
        select(Delivery.group_id, func.count(distinct(Notice.id)))
        .join(Notice, IN_GROUP_CHAT)
        .where(scope.in_period)
        .group_by(Delivery.group_id),
    )
    leads = [
        (event_at - queued_at) / timedelta(days=1)
        for event_at, queued_at in await session.execute(
            select(Notice.event_at, Notice.queued_at).where(
                scope.in_period, Notice.event_at.is_not(None)
            )
        )
    ]
    out.events = len(leads)
    out.lead_median_days = median(leads)
    out.short_notice = sum(1 for days in leads if days < SHORT_NOTICE / timedelta(days=1))
    return out


def outcome(status: DeliveryStatus, error: str | None) -> str | None:
    """sent | blocked (403, or skipped because the person blocked Loa) | failed | unknown."""
    if status is DeliveryStatus.SENT:
        return "sent"
    if (status is DeliveryStatus.FAILED and (error or "").startswith("Forbidden")) or (
        status is DeliveryStatus.SKIPPED and error == "blocked"
    ):
        return "blocked"
    if status in (DeliveryStatus.FAILED, DeliveryStatus.UNKNOWN):
        return status.value
    return None  # pending, sending, skipped on purpose, cancelled: no outcome yet or none


@dataclass
class DeliveryFigures:
    ward: dict[str, int]
    per_group: dict[int, dict[str, int]]
    median_95_minutes: float | None
    reached_95: int


def _empty() -> dict[str, int]:
    return {"sent": 0, "failed": 0, "blocked": 0, "unknown": 0}


async def deliveries(session: AsyncSession, scope: Scope) -> DeliveryFigures:
    """First sends of the period's notices (edits and cancels left out). 95%: minutes from
    the notice going out (or its scheduled time) until 95% of its chats had it, median over
    the notices that got there; cancelled rows do not count as chats."""
    rows = await session.execute(
        select(
            Delivery.notice_id, Delivery.group_id, Delivery.status, Delivery.last_error,
            Delivery.sent_at, Notice.queued_at, Notice.scheduled_at,
        )
        .join(Notice, Notice.id == Delivery.notice_id)
        .where(scope.in_period, Delivery.op == DeliveryOp.SEND)
    )  # fmt: skip
    ward, groups = _empty(), defaultdict[int, dict[str, int]](_empty)
    chats: dict[int, int] = defaultdict(int)
    sent_at: dict[int, list[datetime]] = defaultdict(list)
    start: dict[int, datetime] = {}
    for notice_id, group_id, status, error, sent, queued, scheduled in rows:
        start[notice_id] = max(queued, scheduled or queued)
        if status is not DeliveryStatus.CANCELLED:
            chats[notice_id] += 1
        if status is DeliveryStatus.SENT and sent is not None and sent < scope.until:
            sent_at[notice_id].append(sent)
        kind = outcome(status, error)
        if kind is None:
            continue
        ward[kind] += 1
        if group_id is not None:
            groups[group_id][kind] += 1
    waits = []
    for notice_id, total in chats.items():
        needed = math.ceil(REACHED * total)
        times = sorted(sent_at[notice_id])
        if needed and len(times) >= needed:
            waits.append(max(0.0, minutes(times[needed - 1], start[notice_id])))
    return DeliveryFigures(ward, dict(groups), median(waits), len(waits))
