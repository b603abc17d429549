"""The figures of one ward for one calendar month, gathered once for every output format.

Per notice of the month (reminders left out, as in the indicators):
- chats reached: its deliveries that reached a chat (sent), of those written for it;
- households: registered households of the groups whose chat received it (registration as it
  stands now, as the indicators count it);
- acknowledged: those households that pressed "Đã nhận" within 24 hours of it going out;
  ack rate = acknowledged / households.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.common.errors import Invalid
from bot.services.stats.activity import HourlyActivity, hourly_activity
from bot.services.stats.goals import Goals, ward_goals
from bot.services.stats.indicators import ACK_WINDOW, Period, WardStats, ward_stats
from bot.services.triage import stats as triage_stats
from models import (
    Acknowledgement,
    Delivery,
    Household,
    Notice,
    NoticeStatus,
    Resident,
    TargetKind,
    Ward,
)

MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True)
class NoticeLine:
    id: int
    published_at: datetime
    kind: str
    audience: str  # ward | groups | leaders | tech | residents
    status: NoticeStatus
    text: str
    chats_targeted: int
    chats_reached: int
    households: int
    acknowledged: int

    @property
    def ack_rate(self) -> float | None:
        return round(self.acknowledged / self.households, 4) if self.households else None


@dataclass(frozen=True)
class MonthlyReport:
    ward: str
    period: Period
    generated_at: datetime
    stats: WardStats
    goals: Goals
    notices: list[NoticeLine]
    questions: triage_stats.TriageStats
    hourly: HourlyActivity


def month_period(value: str, tz: ZoneInfo, now: datetime) -> Period:
    """ "2026-11" → the local days 1..30 November 2026; a month not yet begun is refused."""
    found = MONTH.fullmatch(value.strip())
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise Invalid("report.bad_month", value=value)
    first = date(int(found.group(1)), int(found.group(2)), 1)
    if first > now.astimezone(tz).date():
        raise Invalid("report.future_month", value=value)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return Period(first, last, tz)


async def monthly_report(
    session: AsyncSession, ward: Ward, period: Period, now: datetime
) -> MonthlyReport:
    """Everything the report shows, as of `now` (a month still running counts up to now)."""
    until = min(period.until, now)
    return MonthlyReport(
        ward=ward.name,
        period=period,
        generated_at=now,
        stats=await ward_stats(session, ward, period, now),
        goals=await ward_goals(session, ward.id),
        notices=await _notice_lines(session, ward.id, period.since, until),
        questions=await triage_stats.between(
            session, {ward.id}, since=period.since, until=period.until, now=now, tz=period.tz
        ),
        hourly=await hourly_activity(session, ward.id, period, now),
    )


async def _notice_lines(
    session: AsyncSession, ward_id: int, since: datetime, until: datetime
) -> list[NoticeLine]:
    notices = list(
        await session.scalars(
            select(Notice)
            .where(
                Notice.ward_id == ward_id,
                Notice.parent_id.is_(None),
                Notice.queued_at >= since,
                Notice.queued_at < until,
            )
            .order_by(Notice.queued_at, Notice.id)
        )
    )
    ids = [n.id for n in notices]
    reached_chat = and_(Delivery.target == TargetKind.GROUP, Delivery.sent_at.is_not(None))
    chats = {
        nid: (total, sent)
        for nid, total, sent in (
            await session.execute(
                select(
                    Delivery.notice_id,
                    func.count(Delivery.id),
                    func.count(case((Delivery.sent_at.is_not(None), Delivery.id))),
                )
                .where(Delivery.notice_id.in_(ids))
                .group_by(Delivery.notice_id)
            )
        ).all()
    }
    households = dict(
        (
            await session.execute(
                select(Delivery.notice_id, func.count(distinct(Household.id)))
                .join(Household, Household.group_id == Delivery.group_id)
                .join(Resident, Resident.household_id == Household.id)
                .where(Delivery.notice_id.in_(ids), reached_chat, Resident.consent_at.is_not(None))
                .group_by(Delivery.notice_id)
            )
        )
        .tuples()
        .all()
    )
    acked = await _acked(session, ids, reached_chat)
    return [
        NoticeLine(
            id=n.id, published_at=max(n.queued_at, n.scheduled_at or n.queued_at),  # type: ignore[type-var, arg-type]  # queued_at is set: the query filters on it
            kind=n.kind, audience=str((n.audience or {}).get("kind", "ward")), status=n.status,
            text=n.text, chats_targeted=chats.get(n.id, (0, 0))[0],
            chats_reached=chats.get(n.id, (0, 0))[1], households=int(households.get(n.id, 0)),
            acknowledged=acked[n.id],
        )
        for n in notices
    ]  # fmt: skip


async def _acked(session: AsyncSession, ids: list[int], reached_chat: Any) -> Counter[int]:
    """Per notice: households of a reached group that acknowledged within 24 hours."""
    rows = await session.execute(
        select(Acknowledgement.notice_id, Acknowledgement.household_id, Acknowledgement.at,
               Notice.queued_at)
        .join(Notice, Notice.id == Acknowledgement.notice_id)
        .join(Household, Household.id == Acknowledgement.household_id)
        .join(Delivery, and_(Delivery.notice_id == Notice.id,
                             Delivery.group_id == Household.group_id, reached_chat))
        .where(Acknowledgement.notice_id.in_(ids))
    )  # fmt: skip
    seen = {(nid, hid) for nid, hid, at, queued in rows.all() if at - queued <= ACK_WINDOW}
    return Counter(nid for nid, _ in seen)
