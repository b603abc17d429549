"""/templates lists the notice templates; /template_add lets an official add one."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory.roles import Principal
from bot.services.notices import announcements as ann
from bot.services.notices import templates as tpl
from handlers.common import command_args, esc, refuse, sender
from handlers.registry import RouterBlueprint

router = RouterBlueprint("templates")
router.message.filter(F.chat.type == "private")


async def _official_ward(message: Message, session: AsyncSession,
                         principal: Principal | None, action: str) -> int | None:  # fmt: skip
    ward_id = await ann.ward_of(session, principal) if principal is not None else None
    if (
        principal is None
        or ward_id is None
        or not (principal.superadmin or ann.is_official(principal, ward_id))
    ):
        await refuse(message, action)
        return None
    return ward_id


@router.message(Command("templates"))
async def cmd_templates(
    message: Message, session: AsyncSession, principal: Principal | None
) -> None:
    if not ann.may_announce(principal):
        await refuse(message, "templates")
        return
    assert principal is not None
    ward_id = await ann.ward_of(session, principal)
    items = await tpl.list_templates(session, ward_id) if ward_id else list(tpl.shipped())
    lines = [_("template.list_title")]
    lines += [f"• <b>{esc(t.name)}</b>: {esc(t.text)}" for t in items]
    lines.append(_("template.list_footer").format())
    await message.answer("\n".join(lines))


@router.message(Command("template_add"))
async def cmd_template_add(
    message: Message, session: AsyncSession, principal: Principal | None
) -> None:
    ward_id = await _official_ward(message, session, principal, "template_add")
    if ward_id is None:
        return
    name, _sep, text = command_args(message).partition("\n")
    added = await tpl.add(session, ward_id, name, text, sender(message).id)
    blanks = ", ".join(esc(b) for b in added.blanks) or "—"
    await message.answer(_("template.added").format(name=esc(added.name), blanks=blanks))
