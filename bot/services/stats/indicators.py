"""Per ward and per residential group, for a period of local days.

Definitions (the README repeats them for officials):
- households known: households in the directory; registered: those with at least one resident
  who consented and chose the household. Reach = registered / known.
- notices: published notices (queued for delivery, reminders not counted) in the period.
- days since the last notice: local calendar days from the last published notice that went to
  the group's chat (for the ward: any published notice) to the period's end (or today).
- acknowledgement rate: for each notice of the period posted in a group's chat, the group's
  registered households that pressed "Đã nhận" within 24 hours, over the group's registered
  households; summed over notices and groups for the ward.
- questions: questions asked in the period (spam left out); first response: minutes from the
  question to the team's first answer, median over those answered.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    Acknowledgement,
    Delivery,
    Household,
    Notice,
    Resident,
    ResidentialGroup,
    TargetKind,
    Ticket,
    Ward,
)

ACK_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Period:
    """Local calendar days `start`..`end`, both included."""

    start: date
    end: date
    tz: ZoneInfo

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time(), self.tz)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time(), self.tz)


@dataclass
class GroupStats:
    name: str
    households_known: int
    households_registered: int
    reach: float | None
    days_since_last_notice: int | None
    ack_rate: float | None
    notices: int = 0


@dataclass
class WardStats:
    ward: str
    start: date
    end: date
    households_known: int
    households_registered: int
    reach: float | None
    notices: int
    days_since_last_notice: int | None
    ack_rate: float | None
    questions: int
    first_response_median_minutes: float | None
    groups: list[GroupStats] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["from"], data["to"] = data.pop("start").isoformat(), data.pop("end").isoformat()
        return data


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _days_since(last: datetime | None, period: Period, now: datetime) -> int | None:
    if last is None:
        return None
    today = min(now.astimezone(period.tz).date(), period.end)
    return max(0, (today - last.astimezone(period.tz).date()).days)


async def _per_group(session: AsyncSession, stmt: Any) -> dict[int, Any]:
    return {gid: value for gid, value in (await session.execute(stmt)).all() if gid is not None}


async def ward_stats(
    session: AsyncSession, ward: Ward, period: Period, now: datetime
) -> WardStats:
    """The indicators of one ward for `period`, as of `now` (nothing after `now` counts)."""
    until = min(period.until, now)
    groups = list(
        await session.scalars(
            select(ResidentialGroup)
            .where(ResidentialGroup.ward_id == ward.id)
            .order_by(ResidentialGroup.sort_key, ResidentialGroup.id)
        )
    )
    known = await _per_group(
        session,
        select(Household.group_id, func.count(Household.id))
        .where(Household.ward_id == ward.id)
        .group_by(Household.group_id),
    )
    registered = await _per_group(
        session,
        select(Household.group_id, func.count(distinct(Household.id)))
        .join(Resident, Resident.household_id == Household.id)
        .where(Household.ward_id == ward.id, Resident.consent_at.is_not(None))
        .group_by(Household.group_id),
    )
    published = and_(
        Notice.ward_id == ward.id,
        Notice.parent_id.is_(None),
        Notice.queued_at.is_not(None),
        Notice.queued_at < until,
    )
    in_period = and_(published, Notice.queued_at >= period.since)
    notices = int(await session.scalar(select(func.count(Notice.id)).where(in_period)) or 0)
    last_ward = await session.scalar(select(func.max(Notice.queued_at)).where(published))
    in_group_chat = and_(Delivery.notice_id == Notice.id, Delivery.target == TargetKind.GROUP)
    last_group = await _per_group(
        session,
        select(Delivery.group_id, func.max(Notice.queued_at))
        .join(Notice, in_group_chat)
        .where(published)
        .group_by(Delivery.group_id),
    )
    notices_group = await _per_group(
        session,
        select(Delivery.group_id, func.count(distinct(Notice.id)))
        .join(Notice, in_group_chat)
        .where(in_period)
        .group_by(Delivery.group_id),
    )
    acks_group = await _acks_in_time(session, in_period, in_group_chat)

    out: list[GroupStats] = []
    sent_total = acked_total = 0
    for g in groups:
        k, r, n = int(known.get(g.id, 0)), int(registered.get(g.id, 0)), notices_group.get(g.id, 0)
        expected, acked = r * n, min(acks_group.get(g.id, 0), r * n)
        sent_total, acked_total = sent_total + expected, acked_total + acked
        out.append(
            GroupStats(
                name=g.name,
                households_known=k,
                households_registered=r,
                reach=_ratio(r, k),
                days_since_last_notice=_days_since(last_group.get(g.id), period, now),
                ack_rate=_ratio(acked, expected),
                notices=int(n),
            )
        )
    questions, median = await _questions(session, ward.id, period.since, until)
    known_total = sum(g.households_known for g in out)
    registered_total = sum(g.households_registered for g in out)
    return WardStats(
        ward=ward.name,
        start=period.start,
        end=period.end,
        households_known=known_total,
        households_registered=registered_total,
        reach=_ratio(registered_total, known_total),
        notices=notices,
        days_since_last_notice=_days_since(last_ward, period, now),
        ack_rate=_ratio(acked_total, sent_total),
        questions=questions,
        first_response_median_minutes=median,
        groups=out,
    )


async def _acks_in_time(
    session: AsyncSession, in_period: Any, in_group_chat: Any
) -> dict[int, int]:
    """Per group: households of that group that acknowledged a notice posted in its chat
    within 24 hours of the notice going out (each household once per notice)."""
    stmt = (
        select(Household.group_id, Acknowledgement.at, Notice.queued_at)
        .select_from(Acknowledgement)
        .join(Notice, Notice.id == Acknowledgement.notice_id)
        .join(Household, Household.id == Acknowledgement.household_id)
        .join(Delivery, and_(in_group_chat, Delivery.group_id == Household.group_id))
        .where(in_period)
    )
    counts: dict[int, int] = {}
    for group_id, at, queued_at in (await session.execute(stmt)).all():
        if at - queued_at <= ACK_WINDOW:
            counts[group_id] = counts.get(group_id, 0) + 1
    return counts


async def _questions(
    session: AsyncSession, ward_id: int, since: datetime, until: datetime
) -> tuple[int, float | None]:
    rows = (
        await session.execute(
            select(Ticket.created_at, Ticket.first_response_at).where(
                Ticket.ward_id == ward_id,
                Ticket.spam.is_(False),
                Ticket.created_at >= since,
                Ticket.created_at < until,
            )
        )
    ).all()
    waits = [(first - asked).total_seconds() / 60 for asked, first in rows if first is not None]
    return len(rows), (round(statistics.median(waits), 1) if waits else None)
