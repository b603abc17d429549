"""Reading the directory: wards, residential groups, households."""

from __future__ import annotations

import unicodedata

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.common.errors import NotFound
from models import Household, Resident, ResidentialGroup, Ward


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


# The unit words a ward's own labels stand for, in English (the labels are Vietnamese data).
_EN_UNITS = {
    "phường": "ward",
    "xã": "commune",
    "đặc khu": "special zone",
    "tổ dân phố": "residential group",
    "thôn": "village",
    "bản": "hamlet",
    "ấp": "hamlet",
    "buôn": "village",
    "làng": "village",
}


def unit_words(ward: Ward | None, lang: str) -> dict[str, str]:
    """{ward_kind, group_kind} for messages: "phường"/"xã", "tổ dân phố"/"thôn"/"bản"."""
    kind = (ward.kind_label if ward else "Phường").lower()
    group = (ward.group_label if ward else "Tổ dân phố").lower()
    if lang == "en":
        kind, group = _EN_UNITS.get(kind, kind), _EN_UNITS.get(group, group)
    return {"ward_kind": kind, "group_kind": group}


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
