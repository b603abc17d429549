"""Binding a Telegram group chat to a residential group, and keeping the binding true."""

from __future__ import annotations

import logging

from aiogram import F
from aiogram.filters import (
    IS_MEMBER,
    IS_NOT_MEMBER,
    ChatMemberUpdatedFilter,
    Command,
)
from aiogram.types import ChatMemberUpdated, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services.common.errors import ServiceError
from bot.services.directory import binding
from bot.services.directory import units as directory
from bot.services.directory.roles import Principal
from handlers.common import code_from_group, command_args, esc, refuse, sender
from handlers.refusals import quoting
from handlers.registry import RouterBlueprint
from models import ChatStatus

logger = logging.getLogger(__name__)
router = RouterBlueprint("groups")
GROUP_CHATS = {"group", "supergroup"}


@router.message(Command("bindcode"), F.chat.type == "private")
async def cmd_bindcode(
    message: Message, session: AsyncSession, principal: Principal | None, settings: Settings
) -> None:
    if principal is None or not principal.is_staff:
        await refuse(message, "bindcode")
        return
    name = command_args(message)
    if not name:
        await message.answer(_("bind.usage"))
        return
    wards = {g.ward_id for g in principal.grants}
    try:
        group = await directory.find_group(
            session, name, next(iter(wards)) if len(wards) == 1 else None
        )
        code = await binding.create_code(session, principal, group, settings.bind_code_ttl_minutes)
    except ServiceError as err:
        if err.key != "bind.not_allowed":
            raise  # told by the refusal middleware
        await refuse(message, "bindcode")  # logged like any other refused privilege
        return
    hours = max(1, settings.bind_code_ttl_minutes // 60)
    await message.answer(
        _("bind.code_created").format(group=esc(group.name), code=code.code, hours=hours)
    )


@router.message(Command("bind"), F.chat.type.in_(GROUP_CHATS))
@quoting  # a refusal quotes the message it answers
async def cmd_bind(message: Message, session: AsyncSession) -> None:
    code = await code_from_group(message, "bind", _("bind.usage_group"))
    if code is None:
        return
    result = await binding.bind_chat(
        session, code, message.chat.id, message.chat.title, sender(message).id
    )
    await message.answer(_("bind.bound").format(group=esc(result.group.name)))


@router.message(Command("bind"), F.chat.type == "private")
async def cmd_bind_private(message: Message) -> None:
    await message.answer(_("bind.only_in_group"))


@router.message(F.migrate_to_chat_id.as_("new_id"))
async def on_migrated(message: Message, session: AsyncSession, new_id: int) -> None:
    """The group was upgraded to a supergroup: Telegram gives it a new id."""
    if await binding.migrate_chat(session, message.chat.id, new_id):
        logger.info("group chat %s migrated to %s", message.chat.id, new_id)


@router.message(F.migrate_from_chat_id.as_("old_id"))
async def on_migrated_from(message: Message, session: AsyncSession, old_id: int) -> None:
    await binding.migrate_chat(session, old_id, message.chat.id)


@router.my_chat_member(ChatMemberUpdatedFilter(IS_MEMBER >> IS_NOT_MEMBER))
async def on_bot_removed(event: ChatMemberUpdated, session: AsyncSession) -> None:
    if await binding.set_chat_status(session, event.chat.id, ChatStatus.REMOVED):
        logger.warning("bot removed from bound chat %s", event.chat.id)


@router.my_chat_member(ChatMemberUpdatedFilter(IS_NOT_MEMBER >> IS_MEMBER))
async def on_bot_added(event: ChatMemberUpdated, session: AsyncSession) -> None:
    if event.chat.type not in GROUP_CHATS:
        return
    if await binding.set_chat_status(session, event.chat.id, ChatStatus.ACTIVE):
        await event.answer(_("bind.welcome_back"))
        return
    if await binding.group_for_chat(session, event.chat.id) is None:
        await event.answer(_("bind.added_hint"))
