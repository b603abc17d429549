"""Who may do what: role grants, revocations and the checks every privileged action makes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.services.common import audit
from bot.services.common.errors import Forbidden, Invalid, NotFound
from models import BindCode, ResidentialGroup, Role, RoleGrant, Ward, rowcount, utcnow

STAFF_ROLES = frozenset({Role.WARD_ADMIN, Role.WARD_OFFICIAL, Role.GROUP_LEADER, Role.TECH_TEAM})


@dataclass(frozen=True)
class Grant:
    role: Role
    ward_id: int
    group_id: int | None
    ward_name: str
    group_name: str | None
    ward_labels: tuple[str, str] = ("Phường", "Tổ dân phố")  # the ward's unit words (data)


@dataclass(frozen=True)
class Principal:
    """The roles of one Telegram user. Superadmins (LOA_ADMIN_IDS) administer every ward."""

    telegram_id: int
    grants: tuple[Grant, ...] = ()
    superadmin: bool = False
    roles: frozenset[Role] = field(init=False)

    def __post_init__(self) -> None:
        roles = {g.role for g in self.grants} | ({Role.WARD_ADMIN} if self.superadmin else set())
        object.__setattr__(self, "roles", frozenset(roles))

    def has(self, *roles: Role, ward_id: int | None = None, group_id: int | None = None) -> bool:
        """True if the user holds one of `roles` in that ward (and, for leaders, that group)."""
        if self.superadmin and Role.WARD_ADMIN in roles:
            return True
        for g in self.grants:
            if g.role not in roles or (ward_id is not None and g.ward_id != ward_id):
                continue
            if g.role is Role.GROUP_LEADER and group_id is not None and g.group_id != group_id:
                continue
            return True
        return False

    @property
    def is_admin(self) -> bool:
        return self.superadmin or Role.WARD_ADMIN in self.roles

    @property
    def is_staff(self) -> bool:
        return self.superadmin or bool(self.roles & STAFF_ROLES)

    def wards_administered(self) -> set[int] | None:
        """Ward ids this user administers; None means every ward (superadmin)."""
        if self.superadmin:
            return None
        return {g.ward_id for g in self.grants if g.role is Role.WARD_ADMIN}


async def load_principal(
    session: AsyncSession, telegram_id: int, admin_ids: Iterable[int]
) -> Principal:
    rows = await session.scalars(
        select(RoleGrant)
        .where(RoleGrant.telegram_id == telegram_id)
        .options(selectinload(RoleGrant.ward), selectinload(RoleGrant.group))
    )
    grants = tuple(
        Grant(
            r.role,
            r.ward_id,
            r.group_id,
            r.ward.name,
            r.group.name if r.group else None,
            (r.ward.kind_label, r.ward.group_label),
        )
        for r in rows
    )
    return Principal(telegram_id, grants, superadmin=telegram_id in set(admin_ids))


async def administered_wards(session: AsyncSession, principal: Principal) -> list[Ward]:
    """The wards this person may grant and revoke roles in (every ward for a superadmin)."""
    ids = principal.wards_administered()
    stmt = select(Ward).order_by(Ward.name)
    if ids is not None:
        stmt = stmt.where(Ward.id.in_(ids))
    return list(await session.scalars(stmt))


async def _resolve_scope(
    session: AsyncSession,
    role: Role,
    ward_name: str | None,
    group_name: str | None,
    ward_id: int | None = None,
) -> tuple[Ward, ResidentialGroup | None]:
    if ward_id is not None:
        ward = await session.get(Ward, ward_id)
    elif ward_name:
        ward = await session.scalar(select(Ward).where(Ward.name == ward_name))
    else:
        wards = list(await session.scalars(select(Ward).limit(2)))
        if len(wards) > 1:
            raise Invalid("roles.ward_required")
        ward = wards[0] if wards else None
    if ward is None:
        raise NotFound("directory.ward_not_found", ward=ward_name or "")
    group = None
    if role is Role.GROUP_LEADER:
        if not group_name:
            raise Invalid("roles.group_required")
    if group_name:
        group = await session.scalar(
            select(ResidentialGroup).where(
                ResidentialGroup.ward_id == ward.id, ResidentialGroup.name == group_name
            )
        )
        if group is None:
            raise NotFound("directory.group_not_found", group=group_name)
    return ward, group


def _check_granter(granter: Principal | None, ward_id: int) -> None:
    if granter is not None and not granter.has(Role.WARD_ADMIN, ward_id=ward_id):
        raise Forbidden("roles.not_admin")


async def grant_role(
    session: AsyncSession,
    telegram_id: int,
    role: Role,
    *,
    ward_name: str | None = None,
    group_name: str | None = None,
    granter: Principal | None = None,
    ward_id: int | None = None,
) -> tuple[RoleGrant, bool]:
    """Grant a role (granter None = the CLI). Returns (grant, created). Audited; commits."""
    ward, group = await _resolve_scope(session, role, ward_name, group_name, ward_id)
    _check_granter(granter, ward.id)
    group_id = group.id if group and role is Role.GROUP_LEADER else None
    existing = await session.scalar(
        select(RoleGrant).where(
            RoleGrant.telegram_id == telegram_id,
            RoleGrant.role == role,
            RoleGrant.ward_id == ward.id,
            RoleGrant.group_id.is_(None) if group_id is None else RoleGrant.group_id == group_id,
        )
    )
    if existing:
        return existing, False
    grant = RoleGrant(
        telegram_id=telegram_id,
        role=role,
        ward_id=ward.id,
        group_id=group_id,
        granted_by=granter.telegram_id if granter else None,
    )
    session.add(grant)
    audit.record(
        session,
        "role.grant",
        actor_id=granter.telegram_id if granter else None,
        target=str(telegram_id),
        role=role.value,
        ward_id=ward.id,
        group_id=group_id,
    )
    await session.commit()
    return grant, True


async def revoke_role(
    session: AsyncSession,
    telegram_id: int,
    role: Role | None,
    *,
    ward_name: str | None = None,
    granter: Principal | None = None,
    ward_id: int | None = None,
) -> int:
    """Revoke one role, or every role when role is None, in a ward. Returns rows removed."""
    ward, _ = await _resolve_scope(session, Role.WARD_OFFICIAL, ward_name, None, ward_id)
    _check_granter(granter, ward.id)
    if (
        granter is not None
        and granter.telegram_id == telegram_id
        and role
        in (
            None,
            Role.WARD_ADMIN,
        )
    ):
        raise Invalid("roles.cannot_revoke_self")
    stmt = delete(RoleGrant).where(
        RoleGrant.telegram_id == telegram_id, RoleGrant.ward_id == ward.id
    )
    if role is not None:
        stmt = stmt.where(RoleGrant.role == role)
    removed = rowcount(await session.execute(stmt))
    if removed:  # codes they asked for die with the role (a hijacked account's, above all)
        await session.execute(
            update(BindCode)
            .where(
                BindCode.created_by == telegram_id,
                BindCode.ward_id == ward.id,
                BindCode.used_at.is_(None),
                BindCode.expires_at > utcnow(),
            )
            .values(expires_at=utcnow())
        )
        audit.record(
            session,
            "role.revoke",
            actor_id=granter.telegram_id if granter else None,
            target=str(telegram_id),
            role=role.value if role else "all",
            ward_id=ward.id,
            removed=removed,
        )
    await session.commit()
    return removed


def visible_wards(principal: Principal) -> set[int] | None:
    """Wards whose staff this person may see in /roles: their own (None: every ward)."""
    return None if principal.superadmin else {g.ward_id for g in principal.grants}


async def list_grants(session: AsyncSession, ward_ids: set[int] | None = None) -> list[RoleGrant]:
    """Grants in these wards (None: every ward)."""
    stmt = select(RoleGrant).options(selectinload(RoleGrant.ward), selectinload(RoleGrant.group))
    if ward_ids is not None:
        stmt = stmt.where(RoleGrant.ward_id.in_(ward_ids))
    return list(await session.scalars(stmt.order_by(RoleGrant.ward_id, RoleGrant.role)))
