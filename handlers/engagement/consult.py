"""/consult (private chat, officials and group leaders), /consult_status, /consult_remind and
/consult_paper. Parse, call bot.services.engagement, render; service errors reach the one error
handler (handlers.errors), which answers in the person's language."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services.common.errors import Forbidden
from bot.services.directory.roles import Principal
from bot.services.engagement import consultations, form, turnout, votes
from bot.services.notices.announcements import may_announce
from bot.texts import Catalog
from handlers.common import command_args, esc, refuse
from handlers.notices.review import send_cards
from handlers.registry import RouterBlueprint
from models import Consultation, utcnow

router = RouterBlueprint("consult")
router.message.filter(F.chat.type == "private")


def _wake(data: dict[str, Any]) -> None:
    if (sender := data.get("sender")) is not None:
        sender.wake()


@router.message(Command("consult"))
async def cmd_consult(
    message: Message,
    session: AsyncSession,
    principal: Principal | None,
    settings: Settings,
    catalog: Catalog,
    bot: Bot,
    **data: Any,
) -> None:
    if principal is None or not may_announce(principal):
        await refuse(message, "consult")
        return
    text = (message.text or "").split("\n", 1)
    if len(text) < 2 or not text[1].strip():
        await message.answer(_("consult.usage"))
        return
    name = message.from_user.full_name if message.from_user else ""
    done = await consultations.create(
        session, form.parse(text[1]), principal, settings, catalog, name=name
    )
    c = done.consult
    local = c.closes_at.astimezone(settings.tz)
    if done.pending:
        sent = await send_cards(bot, session, settings, done.notice.id)
        reply = _("consult.pending").format(id=c.id, reviewers=sent)
    else:
        reply = _("consult.queued").format(id=c.id, closes=f"{local:%H:%M %d/%m/%Y}")
        if done.unbound:
            reply += "\n" + _("consult.unbound").format(groups=esc(", ".join(done.unbound)))
        _wake(data)
    await message.answer(reply)


async def _followed(
    message: Message, session: AsyncSession, principal: Principal | None, usage: str
) -> Consultation | None:
    arg = command_args(message).split(maxsplit=1)[:1]
    if not arg or not arg[0].lstrip("#").isdigit():
        await message.answer(usage)
        return None
    consult = await consultations.get(session, int(arg[0].lstrip("#")))
    if not consultations.may_follow(consult, principal):
        raise Forbidden("consult.not_yours")
    return consult


@router.message(Command("consult_status"))
async def cmd_status(
    message: Message,
    session: AsyncSession,
    principal: Principal | None,
    settings: Settings,
    catalog: Catalog,
) -> None:
    consult = await _followed(message, session, principal, _("consult.status_usage"))
    if consult is None:
        return
    t = await turnout.turnout(session, consult)
    lang = get_i18n().current_locale  # the reader's language, as _() uses
    head = _("consult.status_head").format(id=consult.id, question=esc(consult.question))
    if consult.closed_at is not None:
        head += "\n" + _("consult.status_closed")
    body = [esc(line) for line in turnout.lines(consult, t, catalog, lang)]
    await message.answer("\n".join([head, "", *body]))


@router.message(Command("consult_remind"))
async def cmd_remind(
    message: Message,
    session: AsyncSession,
    principal: Principal | None,
    settings: Settings,
    catalog: Catalog,
    **data: Any,
) -> None:
    consult = await _followed(message, session, principal, _("consult.remind_usage"))
    if consult is None:
        return
    await votes.check_open(session, consult, 0, utcnow())
    count = await turnout.remind(session, consult, settings, catalog, message.chat.id)
    await message.answer(_("consult.reminded").format(count=count))
    _wake(data)


@router.message(Command("consult_paper"))
async def cmd_paper(
    message: Message, session: AsyncSession, principal: Principal | None, settings: Settings
) -> None:
    parts = command_args(message).split(maxsplit=2)
    if principal is None:  # the service checks the role against the household's group
        await refuse(message, "consult_paper")
        return
    if len(parts) < 3 or not parts[0].lstrip("#").isdigit() or not parts[1].isdigit():
        await message.answer(_("consult.paper_usage"))
        return
    done = await votes.paper(
        session,
        int(parts[0].lstrip("#")),
        int(parts[1]) - 1,
        parts[2],
        principal,
        settings.privacy_key,
    )
    text = _("consult.paper_changed") if done.outcome == "changed" else _("consult.paper_saved")
    await message.answer(text.format(address=esc(done.address), option=esc(done.option)))
