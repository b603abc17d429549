"""/help: what this person can do, by role."""

from __future__ import annotations

from aiogram import Bot
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.services.directory.roles import Principal
from handlers.common import bot_username, esc
from handlers.registry import RouterBlueprint
from models import Resident, Role

router = RouterBlueprint("help")


def help_text(principal: Principal | None, resident: Resident | None, username: str) -> str:
    parts = [_("help.title"), _("help.resident"), _("help.guides").format(bot=esc(username))]
    if resident is None:
        parts.append(_("help.not_registered"))
    if principal is not None:
        if principal.has(Role.GROUP_LEADER):
            parts.append(_("help.group_leader"))
        if principal.has(Role.WARD_OFFICIAL, Role.WARD_ADMIN):
            parts.append(_("help.official"))
        if principal.has(Role.TECH_TEAM):
            parts.append(_("help.tech_team"))
        if principal.has(Role.WARD_ADMIN, Role.WARD_OFFICIAL, Role.TECH_TEAM):
            parts.append(_("help.guides_staff"))
        if principal.is_admin:
            parts.append(_("help.admin"))
    return "\n\n".join(parts)


@router.message(Command("help"))
async def cmd_help(
    message: Message,
    principal: Principal | None,
    resident: Resident | None,
    bot: Bot,
    settings: Settings,
) -> None:
    if message.chat.type != "private":
        await message.reply(_("help.group"))
        return
    await message.answer(help_text(principal, resident, await bot_username(bot, settings)))
