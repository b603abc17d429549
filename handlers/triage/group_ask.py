"""Asking in a residential group chat, the resident's replies on a ticket, and the rating."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import F
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.common.errors import ServiceError
from bot.services.directory import binding
from bot.services.directory.residents import get_resident
from bot.services.triage import actions as ticket_actions
from bot.services.triage import routing as ticket_routing
from bot.services.triage import tickets
from bot.services.triage.tickets import Asker
from handlers.common import bot_username, button_message, command_args, error_text, esc, sender
from handlers.refusals import quoting
from handlers.registry import RouterBlueprint
from handlers.triage import relay
from handlers.triage.context import Triage, use_context
from handlers.triage.flow import photo_ids, relay_follow_up, submit
from handlers.triage.questions import AskStates, show_confirm
from handlers.triage.views import RateCb
from models import LinkSide

logger = logging.getLogger(__name__)
router = RouterBlueprint("group_ask")
use_context(router)
GROUP_CHATS = {"group", "supergroup"}


def _name(message: Message) -> str:
    user = message.from_user
    if user is None:
        return "?"
    return " ".join(filter(None, [user.first_name, user.last_name])) or str(user.id)


@router.message(Command("ask"), F.chat.type.in_(GROUP_CHATS))
@quoting  # a refusal quotes the message it answers
async def cmd_ask_group(message: Message, t: Triage) -> None:
    bot, session, settings, i18n = t.bot, t.session, t.settings, t.i18n
    if message.sender_chat is not None:
        await message.reply(_("ask.anonymous"))
        return
    group = await binding.group_for_chat(session, message.chat.id)
    if group is None:
        staff = await binding.staff_chat(session, chat_id=message.chat.id)
        await message.reply(_("ask.in_staff_chat") if staff else _("ask.group_not_bound"))
        return
    # The question always belongs to whoever typed /ask. A message it replies to is context
    # only: its text (and photos) go with the question, never its author's name or address,
    # and its author's quota and spam record are not touched.
    source = message
    text = command_args(message)
    replied = message.reply_to_message
    if replied is not None and replied.from_user and not replied.from_user.is_bot:
        quoted = tickets.clean_text(replied.text or replied.caption or "")
        if quoted:
            context = _("ask.quoted").format(text=quoted)
            text = f"{text}\n\n{context}" if text else context
        if not photo_ids(message):
            source = replied  # its photos are context too
    text = tickets.clean_text(text)
    if not text:
        await message.reply(_("ask.empty_group"))
        return
    user = message.from_user
    assert user is not None
    resident = await get_resident(session, user.id)
    language = resident.language if resident else (user.language_code or "")[:2]
    asker = Asker(
        telegram_id=user.id,
        name=resident.display_name if resident else _name(message),
        language=language if language in i18n.available_locales else settings.language,
        ward_id=group.ward_id,
        group_id=group.id,
        origin_chat_id=message.chat.id,
        origin_message_id=message.message_id,
    )
    ticket = await submit(t, asker, text, photo_ids(source)[: settings.triage_max_photos])
    with i18n.use_locale(asker.language):
        private = await relay.send(
            bot, user.id, _("ask.received_private").format(number=ticket.id, group=esc(group.name))
        )
        suggestion = await ticket_routing.suggest(session, group.ward_id, text, asker.language)
        lines = [
            _("ask.forwarded_group").format(number=ticket.id)
            + " "
            + (
                _("ask.continue_private")
                if private
                else _("ask.continue_here").format(bot=esc(await bot_username(bot, settings)))
            )
        ]
        if suggestion.guide is not None:
            lines.append(
                _("ask.group_guide").format(
                    title=esc(suggestion.guide.title), code=esc(suggestion.guide.code)
                )
            )
        if suggestion.faq is not None:
            lines.append(_("ask.group_faq").format(answer=esc(suggestion.faq.answer)))
    if private is not None:
        await tickets.link(session, ticket.id, LinkSide.RESIDENT, user.id, private.message_id)
    reply = await relay.send(bot, message.chat.id, "\n\n".join(lines), reply_to=message.message_id)
    if reply is not None:
        await tickets.link(
            session, ticket.id, LinkSide.RESIDENT, message.chat.id, reply.message_id
        )


async def resident_reply(message: Message, session: AsyncSession) -> dict[str, Any] | bool:
    """Filter: the asker replies to a message of their ticket (private chat or group thread)."""
    replied = message.reply_to_message
    if replied is None or message.from_user is None or (message.text and message.text[:1] == "/"):
        return False
    if replied.from_user is None or not replied.from_user.is_bot:
        return False
    ticket = await tickets.by_link(session, LinkSide.RESIDENT, message.chat.id, replied.message_id)
    if ticket is None or ticket.resident_tg_id != message.from_user.id:
        return False
    return {"ticket": ticket}


@router.message(resident_reply, F.text | F.photo)
async def msg_follow_up(message: Message, ticket: Any, state: FSMContext, t: Triage) -> None:
    text = tickets.clean_text(message.text or message.caption)
    photos = photo_ids(message)
    try:
        follow = await tickets.add_follow_up(
            t.session, ticket.id, sender(message).id, text, photos, t.policy
        )
    except ServiceError as err:  # more than a refusal: a late reply becomes a new draft
        await message.reply(error_text(err))
        if err.key == "ticket.closed_long_ago" and message.chat.type == "private" and text:
            # Keep what they wrote: it becomes the draft of a new question.
            await state.set_state(AskStates.draft)
            data = {"text": text, "photos": photos, "code": None, "mg": None}
            await state.set_data(data)
            try:
                await show_confirm(message, data, t.session, t.resident)
            except ServiceError as again:
                await state.clear()
                await message.answer(error_text(again))
        return
    await relay_follow_up(t, follow, text, photos)
    await message.reply(_("follow_up.sent").format(number=ticket.id))


@router.callback_query(RateCb.filter())
async def cb_rate(query: CallbackQuery, callback_data: RateCb, session: AsyncSession) -> None:
    await ticket_actions.rate(
        session, callback_data.id, query.from_user.id, bool(callback_data.good)
    )
    await button_message(query).edit_text(_("rating.thanks").format(number=callback_data.id))
    await query.answer()
