"""Acknowledgements ("Đã nhận") and attendance ("Tôi sẽ tham gia") for the period's notices."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.stats.notices import IN_GROUP_CHAT, Scope
from bot.services.stats.period import by_hour, median, minutes
from models import Acknowledgement, Attendance, Delivery, Household, Notice

ACK_WINDOW = timedelta(hours=24)


async def acks_in_time(session: AsyncSession, scope: Scope) -> dict[int, int]:
    """Per group: households of that group that acknowledged a notice posted in its chat
    within 24 hours of the notice going out (each household once per notice)."""
    stmt = (
        select(Household.group_id, Acknowledgement.at, Notice.queued_at)
        .select_from(Acknowledgement)
        .join(Notice, Notice.id == Acknowledgement.notice_id)
        .join(Household, Household.id == Acknowledgement.household_id)
        .join(Delivery, and_(IN_GROUP_CHAT, Delivery.group_id == Household.group_id))
        .where(scope.in_period, Acknowledgement.at < scope.until)
    )
    counts: dict[int, int] = defaultdict(int)
    for group_id, at, queued_at in (await session.execute(stmt)).all():
        if at - queued_at <= ACK_WINDOW:
            counts[group_id] += 1
    return counts


@dataclass
class AckTimes:
    """Every acknowledgement of the period's notices (wherever pressed, however late)."""

    median_minutes: float | None = None
    by_hour: list[int] = field(default_factory=list)
    group_median: dict[int, float | None] = field(default_factory=dict)
    group_by_hour: dict[int, list[int]] = field(default_factory=dict)


async def ack_times(session: AsyncSession, scope: Scope, tz: ZoneInfo) -> AckTimes:
    rows = (
        await session.execute(
            select(Household.group_id, Acknowledgement.at, Notice.queued_at)
            .select_from(Acknowledgement)
            .join(Notice, Notice.id == Acknowledgement.notice_id)
            .join(Household, Household.id == Acknowledgement.household_id)
            .where(scope.in_period, Acknowledgement.at < scope.until)
        )
    ).all()
    waits: dict[int, list[float]] = defaultdict(list)
    moments = defaultdict(list)
    for group_id, at, queued_at in rows:
        waits[group_id].append(minutes(at, queued_at))
        moments[group_id].append(at)
    return AckTimes(
        median_minutes=median([w for ws in waits.values() for w in ws]),
        by_hour=by_hour((at for _, at, _ in rows), tz),
        group_median={gid: median(ws) for gid, ws in waits.items()},
        group_by_hour={gid: by_hour(ms, tz) for gid, ms in moments.items()},
    )


async def attendance(session: AsyncSession, scope: Scope) -> tuple[int, dict[int, int]]:
    """People who said they will attend the period's events: in all, and per their group."""
    rows = await session.execute(
        select(Household.group_id, func.count(Attendance.id))
        .select_from(Attendance)
        .join(Notice, Notice.id == Attendance.notice_id)
        .outerjoin(Household, Household.id == Attendance.household_id)
        .where(scope.in_period, Attendance.at < scope.until)
        .group_by(Household.group_id)
    )
    per_group = {gid: int(n) for gid, n in rows}
    return sum(per_group.values()), {g: n for g, n in per_group.items() if g is not None}
