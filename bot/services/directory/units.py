"""Reading the directory: wards, residential groups, households."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import TypeVar

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


UnitLabels = tuple[str, str]  # (Ward.kind_label, Ward.group_label): ("Xã", "Thôn")
WARD_LABELS: UnitLabels = ("Phường", "Tổ dân phố")  # the model's defaults


def labels_of(ward: Ward | None) -> UnitLabels:
    return (ward.kind_label, ward.group_label) if ward is not None else WARD_LABELS


def words_for(labels: UnitLabels | None, lang: str) -> dict[str, str]:
    """The words messages use for a ward's units, as catalog placeholders: {ward_kind}
    "phường"/"xã", {group_kind} "tổ dân phố"/"thôn"/"bản", {group_short} "tổ"/"thôn" (a ward
    says "3 tổ"), {leader_kind} "tổ trưởng"/"trưởng thôn", {group_example} "Tổ 13"/"Thôn 1",
    and each with a capital first letter ({Ward_kind}, ...) to open a sentence or a heading."""
    kind, group = (label.strip().lower() for label in (labels or WARD_LABELS))
    in_a_ward = group == "tổ dân phố"
    example = "Tổ 13" if in_a_ward else f"{group.capitalize()} 1"
    if lang == "en":
        kind, group = _EN_UNITS.get(kind, kind), _EN_UNITS.get(group, group)
        leader = "group leader" if in_a_ward else f"{group} head"
    else:
        leader = "tổ trưởng" if in_a_ward else f"trưởng {group}"
    short = ("group" if lang == "en" else "tổ") if in_a_ward else group  # "3 tổ", "3 thôn"
    words = {"ward_kind": kind, "group_kind": group, "group_short": short, "leader_kind": leader}
    words |= {k.capitalize(): v[:1].upper() + v[1:] for k, v in words.items()}
    return words | {"group_example": example}


def unit_words(ward: Ward | None, lang: str) -> dict[str, str]:
    """words_for() a ward (None: a ward's default words)."""
    return words_for(labels_of(ward), lang)


def fill_units(text: str, words: dict[str, str]) -> str:
    """Put the unit words into a catalog text, leaving its other {placeholders} for format()."""
    if "{" not in text:
        return text
    for key, value in words.items():
        text = text.replace("{" + key + "}", value)
    return text


T = TypeVar("T", str, list[str], tuple[str, ...])

# Guides and shipped notice templates are written for a ward: "UBND phường", "Công an
# phường", "tổ trưởng tổ dân phố", "Họp tổ dân phố".
# "phường" followed by these names a place that may be another ward or commune ("UBND phường
# nơi đã đăng ký khai sinh", "Công an phường bất kỳ"); otherwise it is the reader's own.
_VI_UNIT = re.compile(
    r"(xã, phường|phường, xã)|\b(bất kỳ )?([Pp])hường\b"
    r"( (?:nơi(?! (?:cư trú|thường trú|tạm trú|đang ở)\b)|bất kỳ|đã|đang)\b)?"
)
_EN_UNIT = re.compile(
    r"(ward or commune|commune or ward)|\b([Aa]ny )?([Ww])ard\b( (?:where|that)\b)?"
)
_VI_GROUP = re.compile(r"\b([Tt])ổ trưởng tổ dân phố|\b([Tt])ổ dân phố")
_EN_GROUP = re.compile(r"\b([Rr])esidential group leader|\b([Rr])esidential group")


def _cap(word: str, upper: bool) -> str:
    return word[:1].upper() + word[1:] if upper else word


def local_units(text: T, labels: UnitLabels | None, lang: str) -> T:
    """A text written in a ward's words, in the reader's units: in a commune the resident's own
    authority is "UBND xã" ("commune People's Committee"), its villages "thôn"; where the text
    means a place that may lie elsewhere it says "xã, phường" ("commune or ward"), true for
    both. A ward's reader gets the text as written."""
    if not isinstance(text, str):
        return type(text)(local_units(t, labels, lang) for t in text)
    if labels is None or labels == WARD_LABELS:
        return text
    w = words_for(labels, lang)
    either = "commune or ward" if lang == "en" else "xã, phường"
    unit, group = (_EN_UNIT, _EN_GROUP) if lang == "en" else (_VI_UNIT, _VI_GROUP)

    def one_unit(m: re.Match[str]) -> str:
        if m[1]:
            return m[1]
        upper = m[3].isupper() and not m[2]
        if m[2] or m[4]:  # a place that may be another ward or commune
            return (m[2] or "") + _cap(either, upper) + (m[4] or "")
        return _cap(w["ward_kind"], upper)

    def one_group(m: re.Match[str]) -> str:
        if m[1]:
            return _cap(w["leader_kind"], m[1].isupper())
        return _cap(w["group_kind"], m[2].isupper())

    return group.sub(one_group, unit.sub(one_unit, text))


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
