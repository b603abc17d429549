"""The team's side of a ticket: the card's buttons, answering by reply or in private chat."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message, User
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.common.errors import Forbidden
from bot.services.procedures import guide_lookup
from bot.services.triage import actions as ticket_actions
from bot.services.triage import tickets
from handlers.common import button_message, esc, refuse, sender
from handlers.refusals import quoting
from handlers.registry import RouterBlueprint
from handlers.triage import relay
from handlers.triage.context import Triage, use_context
from handlers.triage.faq import ask_privately, start_faq
from handlers.triage.flow import photo_ids
from handlers.triage.views import GuideCb, TicketAction, TicketCb, local_time, rating_keyboard
from models import LinkSide, Ticket, TicketStatus

logger = logging.getLogger(__name__)
router = RouterBlueprint("staff")
use_context(router)
GROUP_CHATS = {"group", "supergroup"}


class StaffStates(StatesGroup):
    answer = State()


def _name(user: User) -> str:
    return " ".join(filter(None, [user.first_name, user.last_name])) or str(user.id)


async def _answer(t: Triage, user: User, ticket_id: int, text: str, photos: list[str]) -> str:
    """Store and deliver an answer; returns what to tell the team member."""
    ticket = await ticket_actions.record_answer(
        t.session, ticket_id, t.principal, _name(user), text, photos
    )
    with t.i18n.use_locale(ticket.language):
        body = relay.answer_text(ticket, text)
    reached = await relay.to_resident(t.bot, t.session, ticket, body, photos=photos,
                                      also_group=True)  # fmt: skip
    await relay.refresh_card(t.bot, t.session, ticket, t.settings, t.i18n)
    if not reached:
        logger.warning("answer to ticket %s reached nobody", ticket.id)
        return _("answer.undelivered").format(number=ticket.id)
    if reached.private and reached.group:
        return _("answer.delivered_both").format(number=ticket.id)
    if reached.private:
        return _("answer.delivered_private").format(number=ticket.id)
    return _("answer.delivered_group").format(number=ticket.id)


async def staff_reply(message: Message, session: AsyncSession) -> dict[str, Any] | bool:
    """Filter: a reply, in a group, to a bot message that belongs to a ticket (card, relay)."""
    replied = message.reply_to_message
    if message.chat.type not in GROUP_CHATS or replied is None or message.from_user is None:
        return False
    if replied.from_user is None or not replied.from_user.is_bot:
        return False
    if message.text and message.text.startswith("/"):
        return False
    ticket = await tickets.by_link(session, LinkSide.STAFF, message.chat.id, replied.message_id)
    return {"ticket": ticket} if ticket is not None else False


async def _answer_message(t: Triage, message: Message, ticket_id: int) -> None:
    """A team member's message (reply in the group, or in private after Answer) is the answer."""
    text = message.text or message.caption or ""
    try:
        feedback = await _answer(t, sender(message), ticket_id, text, photo_ids(message))
    except Forbidden:
        await refuse(message, "ticket.answer")
        return
    await message.reply(feedback)


@router.message(staff_reply, F.text | F.photo)
@quoting  # a refusal quotes the message it answers
async def msg_staff_reply(message: Message, ticket: Ticket, t: Triage) -> None:
    await _answer_message(t, message, ticket.id)


@router.message(StaffStates.answer, F.chat.type == "private", F.text | F.photo)
@quoting  # a refusal quotes the message it answers
async def msg_private_answer(message: Message, state: FSMContext, t: Triage) -> None:
    data = await state.get_data()
    await state.clear()
    if message.text and message.text.startswith("/"):
        await message.answer(_("answer.cancelled"))
        return
    await _answer_message(t, message, int(data["ticket"]))


Action = Callable[[CallbackQuery, Ticket, Triage], Awaitable[str]]


async def _take(query: CallbackQuery, ticket: Ticket, t: Triage) -> str:
    await ticket_actions.take(t.session, ticket.id, t.principal, _name(query.from_user))
    return _("ticket.you_took").format(number=ticket.id)


async def _answer_in_private(query: CallbackQuery, ticket: Ticket, t: Triage) -> str:
    ticket_actions.ensure_staff(t.principal, ticket.ward_id)
    if ticket.status is TicketStatus.CLOSED:
        return _("ticket.closed").format(number=ticket.id)
    first = await tickets.first_message(t.session, ticket.id)
    prompt = _("answer.prompt").format(number=ticket.id, text=esc(first.text))
    if not await ask_privately(query, t, prompt, StaffStates.answer, ticket.id):
        return _("answer.start_bot_first")
    return _("answer.check_private")


async def _guide(query: CallbackQuery, ticket: Ticket, t: Triage) -> str:
    ticket_actions.ensure_staff(t.principal, ticket.ward_id)
    first = await tickets.first_message(t.session, ticket.id)
    hints = await guide_lookup.suggest_guides(
        t.session, first.text, language=ticket.language, limit=3
    )
    options = [(h.code, h.title) for h in hints]
    if ticket.procedure_code and ticket.procedure_code not in {c for c, _t in options}:
        options.insert(0, (ticket.procedure_code, ticket.procedure_code))
    if not options:
        return _("guide.none")
    kb = InlineKeyboardBuilder()
    for code, title in options:
        kb.button(text=f"📘 {title[:50]}", callback_data=GuideCb(id=ticket.id, code=code[:20]))
    kb.adjust(1)
    await button_message(query).answer(
        _("guide.choose").format(number=ticket.id), reply_markup=kb.as_markup()
    )
    return ""


async def _escalate(query: CallbackQuery, ticket: Ticket, t: Triage) -> str:
    ticket = await ticket_actions.escalate(t.session, ticket.id, t.principal)
    with t.i18n.use_locale(t.settings.language):
        headline = _("escalate.headline").format(
            number=ticket.id, name=esc(_name(query.from_user))
        )
    count = await relay.alert_officials(t.bot, t.session, ticket, headline, t.settings, t.i18n)
    return (_("escalate.done") if count else _("escalate.nobody")).format(count=count)


async def _close(query: CallbackQuery, ticket: Ticket, t: Triage) -> str:
    ticket = await ticket_actions.close(t.session, ticket.id, t.principal)
    with t.i18n.use_locale(ticket.language):
        text, markup = _("close.rate").format(number=ticket.id), rating_keyboard(ticket.id)
    await relay.to_resident(t.bot, t.session, ticket, text, markup=markup)
    return _("close.done").format(number=ticket.id)


async def _spam(query: CallbackQuery, ticket: Ticket, t: Triage) -> str:
    ticket, until = await ticket_actions.mark_spam(
        t.session, ticket.id, t.principal, t.settings.triage_spam_block_hours
    )
    if until is None:
        return _("spam.done").format(number=ticket.id)
    return _("spam.blocked").format(number=ticket.id, until=local_time(until, t.settings.tz))


ACTIONS: dict[TicketAction, Action] = {
    TicketAction.TAKE: _take,
    TicketAction.ANSWER: _answer_in_private,
    TicketAction.GUIDE: _guide,
    TicketAction.ESCALATE: _escalate,
    TicketAction.CLOSE: _close,
    TicketAction.SPAM: _spam,
    TicketAction.FAQ: start_faq,
}


@router.callback_query(TicketCb.filter())
async def cb_ticket(query: CallbackQuery, callback_data: TicketCb, t: Triage) -> None:
    """Every press re-checks the presser's role against the ticket's ward."""
    try:
        ticket = await tickets.get(t.session, callback_data.id)
        text = await ACTIONS[callback_data.action](query, ticket, t)
    except Forbidden:
        await refuse(query, f"ticket.{callback_data.action.name.lower()}")
        return
    ticket = await tickets.get(t.session, callback_data.id)
    await relay.refresh_card(t.bot, t.session, ticket, t.settings, t.i18n)
    await query.answer(text or None)


@router.callback_query(GuideCb.filter())
async def cb_guide(query: CallbackQuery, callback_data: GuideCb, t: Triage) -> None:
    try:
        ticket = await tickets.get(t.session, callback_data.id)
        hints = await guide_lookup.suggest_guides(
            t.session,
            (await tickets.first_message(t.session, ticket.id)).text,
            language=ticket.language,
            limit=3,
        )
        title = next((h.title for h in hints if h.code == callback_data.code), "")
        body = f"📘 {title} ({callback_data.code})" if title else f"📘 {callback_data.code}"
        feedback = await _answer(t, query.from_user, ticket.id, body, [])
    except Forbidden:
        await refuse(query, "ticket.guide")
        return
    await button_message(query).edit_text(feedback)
    await query.answer()
