"""Reach: households known and registered per group, at the period's start and now; and the
members of each group's chat, from the daily samples (bot.services.stats.jobs)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.stats.period import Period
from models import ChatMemberSample, Household, Resident, ResidentialGroup


async def per_group(session: AsyncSession, stmt: Any) -> dict[int, Any]:
    """{group id: value} from rows of (group id, value); rows without a group are left out."""
    return {gid: value for gid, value in (await session.execute(stmt)).all() if gid is not None}


@dataclass
class Reach:
    known: dict[int, int]
    registered: dict[int, int]
    registered_at_start: dict[int, int]


async def reach(session: AsyncSession, ward_id: int, period: Period) -> Reach:
    """Registered: a resident who consented chose the household (now; and before the start)."""

    def registered(*extra: Any) -> Any:
        return (
            select(Household.group_id, func.count(distinct(Household.id)))
            .join(Resident, Resident.household_id == Household.id)
            .where(Household.ward_id == ward_id, Resident.consent_at.is_not(None), *extra)
            .group_by(Household.group_id)
        )

    known = select(Household.group_id, func.count(Household.id)).where(
        Household.ward_id == ward_id
    )
    return Reach(
        known=await per_group(session, known.group_by(Household.group_id)),
        registered=await per_group(session, registered()),
        registered_at_start=await per_group(
            session, registered(Resident.consent_at < period.since)
        ),
    )


async def chat_members(
    session: AsyncSession, ward_id: int, period: Period
) -> dict[int, tuple[int, int]]:
    """Per group: (members on the last sampled day of the period, change since its first)."""
    rows = await session.execute(
        select(ChatMemberSample.group_id, ChatMemberSample.day, ChatMemberSample.members)
        .join(ResidentialGroup, ResidentialGroup.id == ChatMemberSample.group_id)
        .where(
            ResidentialGroup.ward_id == ward_id,
            ChatMemberSample.day >= period.start,
            ChatMemberSample.day <= period.end,
        )
        .order_by(ChatMemberSample.group_id, ChatMemberSample.day)
    )
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for group_id, _day, members in rows:
        first.setdefault(group_id, members)
        last[group_id] = members
    return {gid: (last[gid], last[gid] - first[gid]) for gid in last}
