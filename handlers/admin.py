"""Role administration in Telegram: /grant, /revoke, /roles (ward administrators only)."""

from __future__ import annotations

import enum

from aiogram import F
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callback_fields import TelegramId
from bot.config import Settings
from bot.services import notice_admin, roles
from bot.services.errors import ServiceError
from bot.services.roles import Principal
from broadcasts.sender import Sender
from handlers.common import command_args, error_text, esc, refuse
from handlers.registry import RouterBlueprint
from models import Role

router = RouterBlueprint("admin")
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")


class RevokeAction(enum.StrEnum):
    RECALL = "r"
    KEEP = "k"


class RevokeCb(CallbackData, prefix="rv"):
    action: RevokeAction
    user: TelegramId


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
async def cmd_revoke(
    message: Message, session: AsyncSession, principal: Principal | None, settings: Settings
) -> None:
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
    await _offer_recall(message, session, principal, int(parts[0]), settings)


async def _offer_recall(
    message: Message, session: AsyncSession, principal: Principal, user: int, settings: Settings
) -> None:
    """A compromised account's recent notices, with one button to recall them all."""
    notices = await notice_admin.recent_by_author(session, user, principal.wards_administered())
    if not notices:
        return
    lines = [_("admin.recent_notices").format(user=user, count=len(notices))]
    for n in notices:
        first = (n.text.strip().splitlines() or [""])[0][:60]
        when = n.created_at.astimezone(settings.tz).strftime("%H:%M %d/%m")
        lines.append(f"• #{n.id} · {when} · {esc(first)}")
    kb = InlineKeyboardBuilder()
    kb.button(
        text=_("admin.recall_all_button").format(count=len(notices)),
        callback_data=RevokeCb(action=RevokeAction.RECALL, user=user),
    )
    kb.button(
        text=_("admin.keep_notices_button"),
        callback_data=RevokeCb(action=RevokeAction.KEEP, user=user),
    )
    kb.adjust(1)
    await message.answer("\n".join(lines), reply_markup=kb.as_markup())


@router.callback_query(RevokeCb.filter())
async def cb_revoke_notices(
    query: CallbackQuery,
    callback_data: RevokeCb,
    session: AsyncSession,
    principal: Principal | None,
    sender: Sender | None = None,
) -> None:
    if principal is None or not principal.is_admin:
        await refuse(query, "revoke.recall")
        return
    if callback_data.action is RevokeAction.KEEP:
        await query.message.edit_reply_markup(reply_markup=None)  # type: ignore[union-attr]
        await query.answer(_("admin.notices_kept"))
        return
    done = await notice_admin.recall_author(session, callback_data.user, principal)
    if sender is not None:
        sender.wake()
    ids = ", ".join(f"#{i}" for i in done) or "—"
    await query.message.edit_text(  # type: ignore[union-attr]
        _("admin.notices_recalled").format(user=callback_data.user, count=len(done), ids=ids)
    )
    await query.answer()


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
