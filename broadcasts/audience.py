"""Who a notice goes to: group chats, leaders, the tech team, and residents' private chats.

"residents" names people (by resident id): a reminder goes only to households that have not
acknowledged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    ChatStatus,
    Household,
    Resident,
    ResidentialGroup,
    Role,
    RoleGrant,
    TargetKind,
    Urgency,
)

KINDS = ("ward", "groups", "leaders", "tech", "residents")


@dataclass(frozen=True)
class Target:
    chat_id: int
    kind: TargetKind
    group_id: int | None = None
    resident_id: int | None = None
    skip_reason: str | None = None  # known unreachable: recorded as skipped, not sent


@dataclass
class Audience:
    targets: list[Target] = field(default_factory=list)
    unbound_groups: list[str] = field(default_factory=list)  # groups with no usable chat


def spec(
    kind: str, group_ids: list[int] | None = None, resident_ids: list[int] | None = None
) -> dict[str, Any]:
    if kind not in KINDS:
        raise ValueError(f"unknown audience {kind!r}")
    out: dict[str, Any] = {"kind": kind, "group_ids": sorted(group_ids or [])}
    if kind == "residents":
        out["resident_ids"] = sorted(resident_ids or [])
    return out


async def resolve(
    session: AsyncSession, ward_id: int, audience: dict[str, Any], urgency: Urgency
) -> Audience:
    """Expand an audience spec into one target per chat (the first reason to reach a chat wins)."""
    kind = audience.get("kind", "ward")
    wanted = set(audience.get("group_ids") or [])
    groups = list(
        await session.scalars(
            select(ResidentialGroup)
            .where(ResidentialGroup.ward_id == ward_id)
            .order_by(ResidentialGroup.sort_key)
        )
    )
    if wanted:
        groups = [g for g in groups if g.id in wanted]
    out = Audience()
    seen: set[int] = set()

    def add(target: Target) -> None:
        if target.chat_id not in seen:
            seen.add(target.chat_id)
            out.targets.append(target)

    if kind in ("ward", "groups"):
        for g in groups:
            if g.chat_id is None or g.chat_status == ChatStatus.REMOVED:
                out.unbound_groups.append(g.name)
            else:
                add(Target(g.chat_id, TargetKind.GROUP, group_id=g.id))
    if kind in ("leaders", "tech"):
        role = Role.GROUP_LEADER if kind == "leaders" else Role.TECH_TEAM
        stmt = select(RoleGrant).where(RoleGrant.ward_id == ward_id, RoleGrant.role == role)
        if wanted and kind == "leaders":
            stmt = stmt.where(RoleGrant.group_id.in_(wanted))
        kind_of = TargetKind.LEADER if kind == "leaders" else TargetKind.TECH
        for grant in await session.scalars(stmt.order_by(RoleGrant.id)):
            add(Target(grant.telegram_id, kind_of, group_id=grant.group_id))
    if kind in ("ward", "groups"):
        every = bool(audience.get("every_resident"))  # a consultation asks every household
        await _residents(session, [g.id for g in groups], urgency, add, every)
    if kind == "residents":
        await _named_residents(session, ward_id, audience.get("resident_ids") or [], add)
    return out


async def _residents(
    session: AsyncSession, group_ids: list[int], urgency: Urgency, add: Any, every: bool = False
) -> None:
    """Private chats: everyone for urgent (unless opted out) and emergency (always);
    for normal notices only residents who asked for them (`every`: all registered ones)."""
    if not group_ids:
        return
    stmt = (
        _private_chats()
        .where(Household.group_id.in_(group_ids), Resident.consent_at.is_not(None))
        .order_by(Resident.id)
    )
    if urgency is Urgency.NORMAL and not every:
        stmt = stmt.where(Resident.private_notices.is_(True))
    elif urgency is Urgency.URGENT:
        stmt = stmt.where(Resident.urgent_opt_out.is_(False))
    await _add_private(session, stmt, add)


async def _named_residents(
    session: AsyncSession, ward_id: int, resident_ids: list[int], add: Any
) -> None:
    """Private chats of these residents of the ward (consented; blocked ones are skipped).

    The caller chose them, so preferences for normal notices do not narrow the list.
    """
    if not resident_ids:
        return
    stmt = (
        _private_chats()
        .where(
            Resident.id.in_(resident_ids),
            Household.ward_id == ward_id,
            Resident.consent_at.is_not(None),
        )
        .order_by(Resident.id)
    )
    await _add_private(session, stmt, add)


def _private_chats() -> Select[tuple[int, int, int, bool]]:
    return select(
        Resident.id, Resident.telegram_id, Household.group_id, Resident.private_chat_blocked
    ).join(Household, Household.id == Resident.household_id)


async def _add_private(session: AsyncSession, stmt: Select[Any], add: Any) -> None:
    for rid, tg_id, group_id, blocked in (await session.execute(stmt)).tuples():
        add(
            Target(
                tg_id,
                TargetKind.RESIDENT,
                group_id=group_id,
                resident_id=rid,
                skip_reason="blocked" if blocked else None,
            )
        )
