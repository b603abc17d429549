"""Engagement figures of a ward for a period: consultations, safety check-ins, street reports.

Defined in the README ("Indicators"): a consultation or check-in counts in the period it was
opened (created) in, a street report in the period it was received in; nothing after `until`
counts. Households concerned are those of the groups asked, as they are now.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.stats.period import median, minutes, ratio
from models import Household
from models.engagement import Checkin, CheckinAnswer, Consultation, ConsultVote
from models.engagement_reports import StreetReport


async def _households(session: AsyncSession, ward_id: int) -> Counter[int]:
    """How many households each group of the ward has."""
    rows = await session.scalars(select(Household.group_id).where(Household.ward_id == ward_id))
    return Counter(rows)


async def engagement(
    session: AsyncSession, ward_id: int, since: datetime, until: datetime
) -> dict[str, Any]:
    per_group = await _households(session, ward_id)
    consults = list(await session.scalars(
        select(Consultation)
        .where(Consultation.ward_id == ward_id, Consultation.opens_at >= since,
               Consultation.opens_at < until)
        .order_by(Consultation.opens_at, Consultation.id)
    ))  # fmt: skip
    c_items = []
    for c in consults:
        concerned = sum(per_group.get(g, 0) for g in c.group_ids)
        voted = len(list(await session.scalars(select(ConsultVote.id).where(
            ConsultVote.consultation_id == c.id, ConsultVote.at < until))))  # fmt: skip
        c_items.append({"id": c.id, "households": concerned, "voted": voted,
                        "turnout": ratio(voted, concerned)})  # fmt: skip
    checkins = list(await session.scalars(
        select(Checkin)
        .where(Checkin.ward_id == ward_id, Checkin.created_at >= since, Checkin.created_at < until)
        .order_by(Checkin.created_at, Checkin.id)
    ))  # fmt: skip
    k_items = []
    for k in checkins:
        concerned = sum(per_group.get(g, 0) for g in k.group_ids)
        times = list(await session.scalars(select(CheckinAnswer.at).where(
            CheckinAnswer.checkin_id == k.id, CheckinAnswer.at < until)))  # fmt: skip
        done = concerned > 0 and len(times) >= concerned
        k_items.append({"id": k.id, "households": concerned, "answered": len(times),
                        "minutes_to_all": round(minutes(max(times), k.created_at), 1)
                        if done else None})  # fmt: skip
    reports = list(await session.scalars(select(StreetReport).where(
        StreetReport.ward_id == ward_id, StreetReport.created_at >= since,
        StreetReport.created_at < until)))  # fmt: skip
    waits = [minutes(r.resolved_at, r.created_at) for r in reports
             if r.resolved_at is not None and r.resolved_at < until]  # fmt: skip
    return {
        "consultations": {"count": len(c_items), "items": c_items},
        "checkins": {"count": len(k_items), "items": k_items},
        "street_reports": {"count": len(reports), "resolved": len(waits),
                           "resolved_median_minutes": median(waits)},
    }  # fmt: skip
