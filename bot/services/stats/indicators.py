"""Per ward and per residential group, for a period of local days.

Each figure is defined in the README ("Indicators"), and computed by the modules beside this
one: reach, notices (and delivery), acks (and attendance), questions, lookups. Here they are
put together per group and for the ward. No aiogram: the CLI, bot, web and jobs share it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.stats.acks import ACK_WINDOW, ack_times, acks_in_time, attendance
from bot.services.stats.engagement import engagement
from bot.services.stats.figures import GroupStats, WardStats
from bot.services.stats.lookups import lookups
from bot.services.stats.notices import Scope, deliveries, notices
from bot.services.stats.period import Period, best_hour, days_since, ratio
from bot.services.stats.questions import questions
from bot.services.stats.reach import chat_members, reach
from models import ResidentialGroup, Ward

__all__ = ["ACK_WINDOW", "GroupStats", "Period", "WardStats", "ward_stats"]


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
    scope = Scope.of(ward.id, period, until)
    r = await reach(session, ward.id, period)
    members = await chat_members(session, ward.id, period)
    posted = await notices(session, scope)
    sent = await deliveries(session, scope)
    acked = await acks_in_time(session, scope)
    times = await ack_times(session, scope, period.tz)
    attending, attending_group = await attendance(session, scope)
    asked = await questions(session, ward.id, period.since, until, period.tz)
    looked, lookups_by_hour = await lookups(session, ward.id, period.since, until, period.tz)
    engaged = await engagement(session, ward.id, period.since, until)

    out: list[GroupStats] = []
    expected_total = acked_total = 0
    for g in groups:
        k, reg = int(r.known.get(g.id, 0)), int(r.registered.get(g.id, 0))
        start = int(r.registered_at_start.get(g.id, 0))
        n = int(posted.per_group.get(g.id, 0))
        expected, ok = reg * n, min(acked.get(g.id, 0), reg * n)
        expected_total, acked_total = expected_total + expected, acked_total + ok
        hours = times.group_by_hour.get(g.id, [0] * 24)
        count, change = members.get(g.id, (None, None))
        group = GroupStats(
            name=g.name,
            households_known=k,
            households_registered=reg,
            reach=ratio(reg, k),
            days_since_last_notice=days_since(posted.last_group.get(g.id), period, now),
            ack_rate=ratio(ok, expected),
            notices=n,
            registered_at_start=start,
            reach_trend=ratio(reg - start, k),
            chat_members=count,
            chat_members_change=change,
            ack_median_minutes=times.group_median.get(g.id),
            attendance=attending_group.get(g.id, 0),
            questions=asked.per_group.get(g.id, 0),
            acks_by_hour=hours,
            best_hour=best_hour(hours),
        )
        group.delivery.update(sent.per_group.get(g.id, {}))
        out.append(group)

    known = sum(g.households_known for g in out)
    registered = sum(g.households_registered for g in out)
    at_start = sum(g.registered_at_start for g in out)
    sampled = [g for g in out if g.chat_members is not None]
    return WardStats(
        ward=ward.name,
        start=period.start,
        end=period.end,
        households_known=known,
        households_registered=registered,
        reach=ratio(registered, known),
        notices=posted.total,
        days_since_last_notice=days_since(posted.last, period, now),
        ack_rate=ratio(acked_total, expected_total),
        questions=asked.total,
        first_response_median_minutes=asked.median_minutes,
        groups=out,
        registered_at_start=at_start,
        reach_trend=ratio(registered - at_start, known),
        chat_members=sum(g.chat_members or 0 for g in sampled) if sampled else None,
        chat_members_change=sum(g.chat_members_change or 0 for g in sampled) if sampled else None,
        notices_by_kind=posted.by_kind,
        events=posted.events,
        event_lead_median_days=posted.lead_median_days,
        short_notice=posted.short_notice,
        delivery=sent.ward,
        delivery_95_median_minutes=sent.median_95_minutes,
        delivery_95_reached=sent.reached_95,
        ack_median_minutes=times.median_minutes,
        attendance=attending,
        first_response_p90_minutes=asked.p90_minutes,
        first_response_within_target=asked.within_target,
        ratings=asked.ratings,
        categories=asked.categories,
        lookups=looked,
        activity_by_hour={
            "acks": times.by_hour, "questions": asked.by_hour, "lookups": lookups_by_hour,
        },
        best_hour=best_hour(times.by_hour),
        engagement=engaged,
    )  # fmt: skip
