"""Role administration in Telegram: /grant, /revoke, /roles (ward administrators only).

With several wards the ward is picked with buttons, one per ward the caller administers now;
what to grant or revoke waits in the caller's FSM data meanwhile (a button carries only the
ward id, and the role is checked again on the press).
"""

from __future__ import annotations

import enum
from typing import Any

from aiogram import F
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services.common.errors import ServiceError
from bot.services.directory import roles
from bot.services.directory.roles import Principal
from bot.services.notices import manage as notice_admin
from broadcasts.sender import Sender
from handlers.callback_fields import TelegramId
from handlers.common import button_message, command_args, error_text, esc, refuse
from handlers.registry import RouterBlueprint
from models import Role

router = RouterBlueprint("admin")
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")


class RevokeAction(enum.StrEnum):
    RECALL = "r"
    KEEP = "k"


class RevokeCb(CallbackData, prefix="rk"):
    action: RevokeAction
    user: TelegramId


class WardCb(CallbackData, prefix="rw"):
    ward: int


def _parse(text: str, grant: bool) -> dict[str, Any] | None:
    """/grant ID ROLE [GROUP] or /revoke ID [ROLE] as plain values; None if malformed."""
    parts = text.split(maxsplit=2)
    if not parts or not parts[0].lstrip("-").isdigit():
        return None
    role = parts[1] if len(parts) > 1 else None
    if (grant and role is None) or (role is not None and role not in Role._value2member_map_):
        return None
    group = parts[2] if grant and len(parts) > 2 else None
    return {"op": "grant" if grant else "revoke", "user": int(parts[0]), "role": role,
            "group": group}  # fmt: skip


async def _start(message: Message, session: AsyncSession, principal: Principal | None,
                 state: FSMContext, settings: Settings, grant: bool) -> None:  # fmt: skip
    name = "grant" if grant else "revoke"
    if principal is None or not principal.is_admin:
        await refuse(message, name)
        return
    op = _parse(command_args(message), grant)
    if op is None:
        await message.answer(_("admin.grant_usage") if grant else _("admin.revoke_usage"))
        return
    wards = await roles.administered_wards(session, principal)
    if len(wards) == 1:
        await _run(message, session, principal, settings, op, wards[0].id)
        return
    if not wards:
        await refuse(message, name)
        return
    await state.update_data(role_op=op)
    kb = InlineKeyboardBuilder()
    for w in wards:
        kb.button(text=w.name, callback_data=WardCb(ward=w.id))
    kb.adjust(1)
    await message.answer(_("admin.pick_ward").format(user=op["user"]), reply_markup=kb.as_markup())


async def _run(message: Message, session: AsyncSession, principal: Principal,
               settings: Settings, op: dict[str, Any], ward_id: int) -> None:  # fmt: skip
    user, role = op["user"], Role(op["role"]) if op["role"] else None
    try:
        if op["op"] == "grant":
            assert role is not None
            _grant, created = await roles.grant_role(
                session, user, role, group_name=op["group"], granter=principal, ward_id=ward_id
            )
            text = _("admin.granted") if created else _("admin.already_granted")
            await message.answer(text.format(user=user, role=_("role." + role.value),
                                             group=esc(op["group"] or "")))  # fmt: skip
            return
        removed = await roles.revoke_role(session, user, role, granter=principal,
                                          ward_id=ward_id)  # fmt: skip
    except ServiceError as err:  # also after a button: said in the chat, not as an alert
        await message.answer(error_text(err))
        return
    await message.answer(
        _("admin.revoked").format(user=user, count=removed)
        if removed
        else _("admin.nothing_to_revoke").format(user=user)
    )
    await _offer_recall(message, session, principal, user, settings)


@router.message(Command("grant"))
async def cmd_grant(message: Message, session: AsyncSession, principal: Principal | None,
                    state: FSMContext, settings: Settings) -> None:  # fmt: skip
    await _start(message, session, principal, state, settings, grant=True)


@router.message(Command("revoke"))
async def cmd_revoke(message: Message, session: AsyncSession, principal: Principal | None,
                     state: FSMContext, settings: Settings) -> None:  # fmt: skip
    await _start(message, session, principal, state, settings, grant=False)


@router.callback_query(WardCb.filter())
async def cb_ward(query: CallbackQuery, callback_data: WardCb, session: AsyncSession,
                  principal: Principal | None, state: FSMContext,
                  settings: Settings) -> None:  # fmt: skip
    op = (await state.get_data()).get("role_op")
    if principal is None or not principal.has(Role.WARD_ADMIN, ward_id=callback_data.ward):
        await refuse(query, "role.ward")
        return
    if not op:
        await query.answer(_("admin.pick_expired"), show_alert=True)
        return
    await state.update_data(role_op=None)
    await query.answer()
    await button_message(query).edit_reply_markup(reply_markup=None)
    await _run(button_message(query), session, principal, settings, op, callback_data.ward)


async def _offer_recall(
    message: Message, session: AsyncSession, principal: Principal, user: int, settings: Settings
) -> None:
    """Every notice of a compromised account that still stands, with one button to recall
    them all (however old: a hijacker may have posted before anyone noticed)."""
    notices = await notice_admin.live_by_author(session, user, principal.wards_administered())
    if not notices:
        return
    lines = [_("admin.live_notices").format(user=user, count=len(notices))]
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
        await button_message(query).edit_reply_markup(reply_markup=None)
        await query.answer(_("admin.notices_kept"))
        return
    done = await notice_admin.recall_author(
        session, callback_data.user, principal, query.from_user.full_name
    )
    if sender is not None:
        sender.wake()
    ids = ", ".join(f"#{i}" for i in done) or "—"
    await button_message(query).edit_text(
        _("admin.notices_recalled").format(user=callback_data.user, count=len(done), ids=ids)
    )
    await query.answer()


@router.message(Command("roles"))
async def cmd_roles(message: Message, session: AsyncSession, principal: Principal | None) -> None:
    """The staff of the caller's own wards (every ward for a superadmin), never others'."""
    if principal is None or not principal.is_staff:
        await refuse(message, "roles")
        return
    lines = [_("admin.roles_title")]
    for g in await roles.list_grants(session, roles.visible_wards(principal)):
        scope = f" ({esc(g.group.name)})" if g.group else ""
        lines.append(
            f"• <code>{g.telegram_id}</code> — {_('role.' + g.role.value)}{scope}, "
            f"{esc(g.ward.name)}"
        )
    if len(lines) == 1:
        lines.append(_("admin.roles_empty"))
    await message.answer("\n".join(lines))
