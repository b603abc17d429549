"""Carrying ticket messages between residents, the staff group and officials.

Telegram refuses a private message to someone who never started the bot (403); then an
answer to a question asked in a group goes to the group thread instead, and the team is told
when nothing reached the resident. Nothing here decides anything: the services do.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import (
    InlineKeyboardMarkup,
    InputMediaPhoto,
    MediaUnion,
    Message,
    ReplyParameters,
)
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.logs import who
from bot.services.directory import binding
from bot.services.triage import routing as ticket_routing
from bot.services.triage import tickets
from bot.text import esc, split_text
from handlers.triage.views import card_keyboard, card_text
from models import LinkSide, Ticket

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reached:
    """Where a message to the resident arrived."""

    private: bool
    group: bool

    def __bool__(self) -> bool:
        return self.private or self.group


async def send(
    bot: Bot,
    chat_id: int,
    text: str,
    *,
    reply_to: int | None = None,
    markup: InlineKeyboardMarkup | None = None,
    photos: list[str] | None = None,
) -> Message | None:
    """Send text (then photos); None when Telegram refuses the chat (blocked, never started)."""
    reply = (
        ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
        if reply_to
        else None
    )
    try:
        chunks = split_text(text)
        first: Message | None = None
        for i, chunk in enumerate(chunks):
            last = i == len(chunks) - 1
            sent = await bot.send_message(
                chat_id,
                chunk,
                reply_parameters=reply if first is None else None,
                reply_markup=markup if last else None,
            )
            first = first or sent
        if photos:
            anchor = ReplyParameters(message_id=first.message_id) if first else None
            if len(photos) == 1:
                await bot.send_photo(chat_id, photos[0], reply_parameters=anchor)
            else:
                media: list[MediaUnion] = [InputMediaPhoto(media=p) for p in photos]
                await bot.send_media_group(chat_id, media, reply_parameters=anchor)
        return first
    except (TelegramForbiddenError, TelegramBadRequest) as exc:
        logger.info("chat %s unreachable: %s", who(chat_id), exc.message)
        return None


async def to_resident(
    bot: Bot,
    session: AsyncSession,
    ticket: Ticket,
    text: str,
    *,
    photos: list[str] | None = None,
    markup: InlineKeyboardMarkup | None = None,
    also_group: bool = False,
) -> Reached:
    """Private chat first; the group thread when asked there (always if `also_group`)."""
    private = await send(bot, ticket.resident_tg_id, text, markup=markup, photos=photos)
    if private is not None:
        await tickets.link(
            session, ticket.id, LinkSide.RESIDENT, private.chat.id, private.message_id
        )
    group = None
    if ticket.origin_chat_id is not None and (also_group or private is None):
        group = await send(
            bot,
            ticket.origin_chat_id,
            text,
            reply_to=ticket.origin_message_id,
            markup=markup,
            photos=photos,
        )
        if group is not None:
            await tickets.link(
                session, ticket.id, LinkSide.RESIDENT, group.chat.id, group.message_id
            )
    return Reached(private is not None, group is not None)


async def post_card(
    bot: Bot, session: AsyncSession, ticket: Ticket, settings: Settings, i18n: I18n
) -> bool:
    """Put a new ticket in the ward's staff group; False when no staff group is bound."""
    staff = await binding.staff_chat(session, ward_id=ticket.ward_id)
    if staff is None:
        logger.warning("ticket %s: ward %s has no staff group bound", ticket.id, ticket.ward_id)
        return False
    info = await tickets.card_info(session, ticket)
    first = await tickets.first_message(session, ticket.id)
    with i18n.use_locale(settings.language):
        text, markup = card_text(ticket, info, settings.tz), card_keyboard(ticket)
    sent = await send(bot, staff.chat_id, text, markup=markup, photos=first.photos)
    if sent is None:
        logger.error("ticket %s: staff group %s unreachable", ticket.id, staff.chat_id)
        return False
    await tickets.set_card(session, ticket, staff.chat_id, sent.message_id)
    return True


async def refresh_card(
    bot: Bot, session: AsyncSession, ticket: Ticket, settings: Settings, i18n: I18n
) -> None:
    """Show the ticket's current status on its card (a no-op edit is fine)."""
    if ticket.staff_chat_id is None or ticket.staff_message_id is None:
        return
    info = await tickets.card_info(session, ticket)
    with i18n.use_locale(settings.language):
        text, markup = card_text(ticket, info, settings.tz), card_keyboard(ticket)
    try:
        await bot.edit_message_text(
            text=text,
            chat_id=ticket.staff_chat_id,
            message_id=ticket.staff_message_id,
            reply_markup=markup,
        )
    except (TelegramBadRequest, TelegramForbiddenError) as exc:
        logger.info("card of ticket %s not edited: %s", ticket.id, exc.message)


async def to_staff(
    bot: Bot,
    session: AsyncSession,
    ticket: Ticket,
    text: str,
    *,
    photos: list[str] | None = None,
    link: bool = True,
) -> Message | None:
    """A message about the ticket in the staff group, as a reply to its card."""
    if ticket.staff_chat_id is None:
        staff = await binding.staff_chat(session, ward_id=ticket.ward_id)
        if staff is None:
            return None
        chat_id, reply_to = staff.chat_id, None
    else:
        chat_id, reply_to = ticket.staff_chat_id, ticket.staff_message_id
    sent = await send(bot, chat_id, text, reply_to=reply_to, photos=photos)
    if sent is not None and link:
        await tickets.link(session, ticket.id, LinkSide.STAFF, chat_id, sent.message_id)
    return sent


async def alert_officials(
    bot: Bot,
    session: AsyncSession,
    ticket: Ticket,
    headline: str,
    settings: Settings,
    i18n: I18n,
) -> int:
    """Private message with the card to each official of the ward; returns how many got it."""
    info = await tickets.card_info(session, ticket)
    with i18n.use_locale(settings.language):
        text = headline + "\n\n" + card_text(ticket, info, settings.tz)
        markup = card_keyboard(ticket)
    reached = 0
    for official in await ticket_routing.officials(session, ticket.ward_id):
        if await send(bot, official, text, markup=markup) is not None:
            reached += 1
    if not reached:
        logger.warning("ticket %s: no official could be alerted", ticket.id)
    return reached


def answer_text(ticket: Ticket, body: str) -> str:
    """The team's answer as the resident reads it (caller sets the resident's locale)."""
    return _("answer.to_resident").format(number=ticket.id, text=esc(body))
