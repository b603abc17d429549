"""Residents and notices: `/start n-<id>` opens one, `/notices` lists recent ones, and a
forwarded message is checked against what Loa published ("is this official?").

Included before `start`, whose /start handler would otherwise take the deep link.
"""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services.common.errors import ServiceError
from bot.services.directory import units as directory
from bot.services.directory.roles import Principal
from bot.services.notices import feed as notice_feed
from bot.services.notices import verify
from bot.services.notices.verify_index import Index
from broadcasts.telegram_ops import consult_of
from handlers.callback_fields import DbId
from handlers.common import bot_username, button_message, error_text, esc, sender
from handlers.notices.render import marks_for, send_notice
from handlers.registry import RouterBlueprint
from models import Resident

router = RouterBlueprint("notice_view")
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")

FIRST_LINE = 60
OFFICIAL_SHOWN = 1500  # the official text under an "altered" answer, cut if longer


class NoticeViewCb(CallbackData, prefix="nv"):
    id: DbId


async def _open(
    message: Message,
    session: AsyncSession,
    notice_id: int,
    user_id: int,
    principal: Principal | None,
) -> None:
    try:
        notice = await notice_feed.viewable(session, notice_id, user_id, principal)
    except ServiceError as err:  # also after a button: said in the chat, not as an alert
        await message.answer(error_text(err))
        return
    await send_notice(message, notice, await consult_of(session, notice))


@router.message(CommandStart(deep_link=True, magic=F.args.regexp(r"^n-\d+$")))
async def cmd_start_notice(
    message: Message, command: CommandObject, session: AsyncSession, principal: Principal | None
) -> None:
    notice_id = int((command.args or "n-0")[2:])
    await _open(message, session, notice_id, sender(message).id, principal)


@router.callback_query(NoticeViewCb.filter())
async def cb_open(
    query: CallbackQuery,
    callback_data: NoticeViewCb,
    session: AsyncSession,
    principal: Principal | None,
) -> None:
    await query.answer()
    await _open(button_message(query), session, callback_data.id, query.from_user.id, principal)


@router.message(Command("notices"))
async def cmd_notices(
    message: Message, session: AsyncSession, resident: Resident | None, settings: Settings
) -> None:
    if resident is None or resident.consent_at is None or resident.household is None:
        await message.answer(_("resident.not_registered"))
        return
    notices = await notice_feed.recent(session, resident)
    lines = [_("feed.title") if notices else _("feed.empty")]
    kb = InlineKeyboardBuilder()
    for n in notices:
        when = n.queued_at.astimezone(settings.tz) if n.queued_at else None
        first = (n.text.strip().splitlines() or [""])[0]
        if len(first) > FIRST_LINE:
            first = first[: FIRST_LINE - 1] + "…"
        mark = marks_for(n.urgency).header.split()[0]
        day = when.strftime("%d/%m") if when else ""
        lines.append(f"{day} {mark} {esc(first)}")
        kb.button(
            text=_("feed.open_button").format(id=n.id, day=day),
            callback_data=NoticeViewCb(id=n.id),
        )
    kb.adjust(2)
    state = _("notices.state_on") if resident.private_notices else _("notices.state_off")
    lines.append("")
    lines.append(_("feed.private_pref").format(state=state))
    await message.answer("\n".join(lines), reply_markup=kb.as_markup() if notices else None)


@router.message(F.forward_origin, StateFilter(None))
async def msg_forwarded(
    message: Message,
    session: AsyncSession,
    settings: Settings,
    bot: Bot,
    resident: Resident | None,
    verify_index: Index | None = None,
) -> None:
    """A resident asks whether a forwarded message really comes from Loa."""
    text = message.text or message.caption or ""
    household = resident.household if resident is not None else None
    ward = await directory.home_ward(session, household.group_id if household else 0)
    units = directory.unit_words(ward, I18n.get_current(no_error=False).current_locale)
    if not text.strip():
        await message.answer(_("verify.no_text").format(**units))
        return
    verdict = await verify.check(session, text, verify_index)
    if verdict.kind == "unknown":
        origin = message.forward_origin
        user = getattr(origin, "sender_user", None)
        from_us = user is not None and user.id == bot.id
        unknown = _("verify.unknown").format(**units)
        await message.answer(_("verify.from_bot_unknown") if from_us else unknown)
        return
    username = await bot_username(bot, settings)
    link = f"https://t.me/{username}?start=n-{verdict.notice_id}"
    when = (
        verdict.sent_at.astimezone(settings.tz).strftime("%H:%M %d/%m/%Y")
        if verdict.sent_at
        else ""
    )
    if verdict.kind == "official":
        lines = [_("verify.official").format(ward=esc(verdict.ward), time=when)]
    else:
        official = verdict.official_text
        if len(official) > OFFICIAL_SHOWN:
            official = official[:OFFICIAL_SHOWN] + "…"
        lines = [
            _("verify.altered").format(id=verdict.notice_id, ward=esc(verdict.ward)),
            f"<blockquote>{esc(official)}</blockquote>",
        ]
    if verdict.cancelled:
        lines.append(_("verify.recalled"))
    if verdict.corrected:
        lines.append(_("verify.corrected"))
    lines.append(_("verify.link").format(link=esc(link), id=verdict.notice_id))
    await message.answer("\n".join(lines))
