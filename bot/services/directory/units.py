"""Reading the directory: wards, residential groups, households."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.common.errors import NotFound
from bot.unit_words import (  # re-exported: the directory's readers use them too
    WARD_LABELS,
    UnitLabels,
    fill_units,
    labels_of,
    local_units,
    unit_words,
    words_for,
)
from models import Household, Resident, ResidentialGroup, Ward

__all__ = [
    "WARD_LABELS",
    "UnitLabels",
    "fill_units",
    "labels_of",
    "local_units",
    "unit_words",
    "words_for",
]


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ→d) and spaces, for matching what people type."""
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return " ".join("".join(ch for ch in text if not unicodedata.combining(ch)).split())


async def list_wards(session: AsyncSession) -> list[Ward]:
    return list(await session.scalars(select(Ward).order_by(Ward.name)))


async def get_ward(session: AsyncSession, name: str | None = None) -> Ward:
    """The named ward, or the only ward when there is one."""
    if name:
        ward = await session.scalar(select(Ward).where(Ward.name == name))
    else:
        wards = list(await session.scalars(select(Ward).limit(2)))
        ward = wards[0] if len(wards) == 1 else None
    if ward is None:
        raise NotFound("directory.ward_not_found", ward=name or "")
    return ward


async def home_ward(session: AsyncSession, group_id: int = 0) -> Ward | None:
    """The ward whose channel this is: the invited group's ward, or the only ward there is."""
    group = await session.get(ResidentialGroup, group_id) if group_id else None
    if group is not None:
        return await session.get(Ward, group.ward_id)
    wards = list(await session.scalars(select(Ward).limit(2)))
    return wards[0] if len(wards) == 1 else None


async def labels_in_context(
    session: AsyncSession, known: Iterable[UnitLabels], group_chat_id: int | None = None
) -> UnitLabels:
    """The unit labels an update speaks in: those of the wards its sender belongs to (as a
    resident or by role) when they agree, else those of the group chat's ward, else those of
    every ward when all are alike (one commune), else a ward's default words."""
    found = set(known)
    if len(found) == 1:
        return found.pop()
    if group_chat_id is not None:
        row = (
            await session.execute(
                select(Ward.kind_label, Ward.group_label)
                .join(ResidentialGroup, ResidentialGroup.ward_id == Ward.id)
                .where(ResidentialGroup.chat_id == group_chat_id)
            )
        ).first()
        if row is not None:
            return (row[0], row[1])
    if not found:  # nobody known: the words of the deployment when it has one kind of ward
        rows = (
            await session.execute(select(Ward.kind_label, Ward.group_label).distinct().limit(2))
        ).all()
        found = {(r[0], r[1]) for r in rows}
    return found.pop() if len(found) == 1 else WARD_LABELS


async def list_groups(session: AsyncSession, ward_id: int | None = None) -> list[ResidentialGroup]:
    stmt = select(ResidentialGroup).order_by(
        ResidentialGroup.ward_id, ResidentialGroup.sort_key, ResidentialGroup.name
    )
    if ward_id is not None:
        stmt = stmt.where(ResidentialGroup.ward_id == ward_id)
    return list(await session.scalars(stmt))


async def get_group(session: AsyncSession, group_id: int) -> ResidentialGroup:
    group = await session.get(ResidentialGroup, group_id)
    if group is None:
        raise NotFound("directory.group_not_found", group=str(group_id))
    return group


async def find_group(
    session: AsyncSession, name: str, ward_id: int | None = None
) -> ResidentialGroup:
    """Find a group by name as people write it: "Tổ 13", "to 13", "13"."""
    groups = await list_groups(session, ward_id)
    wanted = fold(name)
    for g in groups:
        if fold(g.name) == wanted:
            return g
    digits = "".join(ch for ch in wanted if ch.isdigit())
    matches = [g for g in groups if digits and "".join(c for c in g.name if c.isdigit()) == digits]
    if len(matches) == 1:
        return matches[0]
    raise NotFound("directory.group_not_found", group=name)


async def list_households(
    session: AsyncSession, group_id: int, limit: int = 200
) -> list[Household]:
    """The group's households on the ward's own list (never addresses residents typed)."""
    return list(
        await session.scalars(
            select(Household)
            .where(Household.group_id == group_id, Household.listed)
            .order_by(Household.street, Household.house_number)
            .limit(limit)
        )
    )


async def count_registered_households(session: AsyncSession, group_id: int) -> int:
    return (
        await session.scalar(
            select(func.count(func.distinct(Resident.household_id)))
            .join(Household, Household.id == Resident.household_id)
            .where(Household.group_id == group_id)
        )
    ) or 0
