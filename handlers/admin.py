"""Role administration in Telegram: /grant, /revoke, /roles (ward administrators only)."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import roles
from bot.services.errors import ServiceError
from bot.services.roles import Principal
from handlers.common import command_args, error_text, esc, refuse
from handlers.registry import RouterBlueprint
from models import Role

router = RouterBlueprint("admin")
router.message.filter(F.chat.type == "private")


def _sole_ward(principal: Principal) -> str | None:
    names = {g.ward_name for g in principal.grants if g.role is Role.WARD_ADMIN}
    return next(iter(names)) if len(names) == 1 else None


@router.message(Command("grant"))
async def cmd_grant(message: Message, session: AsyncSession, principal: Principal | None) -> None:
    if principal is None or not principal.is_admin:
        await refuse(message, "grant")
        return
    parts = command_args(message).split(maxsplit=2)
    if (
        len(parts) < 2
        or not parts[0].lstrip("-").isdigit()
        or parts[1] not in Role._value2member_map_
    ):
        await message.answer(_("admin.grant_usage"))
        return
    telegram_id, role = int(parts[0]), Role(parts[1])
    group = parts[2] if len(parts) > 2 else None
    try:
        _grant, created = await roles.grant_role(
            session,
            telegram_id,
            role,
            ward_name=_sole_ward(principal),
            group_name=group,
            granter=principal,
        )
    except ServiceError as err:
        await message.answer(error_text(err))
        return
    key = "admin.granted" if created else "admin.already_granted"
    await message.answer(
        _(key).format(user=telegram_id, role=_("role." + role.value), group=esc(group or ""))
    )


@router.message(Command("revoke"))
async def cmd_revoke(message: Message, session: AsyncSession, principal: Principal | None) -> None:
    if principal is None or not principal.is_admin:
        await refuse(message, "revoke")
        return
    parts = command_args(message).split()
    if (
        not parts
        or not parts[0].lstrip("-").isdigit()
        or (len(parts) > 1 and parts[1] not in Role._value2member_map_)
    ):
        await message.answer(_("admin.revoke_usage"))
        return
    role = Role(parts[1]) if len(parts) > 1 else None
    try:
        removed = await roles.revoke_role(
            session, int(parts[0]), role, ward_name=_sole_ward(principal), granter=principal
        )
    except ServiceError as err:
        await message.answer(error_text(err))
        return
    await message.answer(
        _("admin.revoked").format(user=parts[0], count=removed)
        if removed
        else _("admin.nothing_to_revoke").format(user=parts[0])
    )


@router.message(Command("roles"))
async def cmd_roles(message: Message, session: AsyncSession, principal: Principal | None) -> None:
    if principal is None or not principal.is_staff:
        await refuse(message, "roles")
        return
    wards = principal.wards_administered()
    grants = await roles.list_grants(session)
    lines = [_("admin.roles_title")]
    for g in grants:
        if wards is not None and g.ward_id not in wards and not principal.is_staff:
            continue
        scope = f" ({esc(g.group.name)})" if g.group else ""
        lines.append(
            f"• <code>{g.telegram_id}</code> — {_('role.' + g.role.value)}{scope}, "
            f"{esc(g.ward.name)}"
        )
    if len(lines) == 1:
        lines.append(_("admin.roles_empty"))
    await message.answer("\n".join(lines))
