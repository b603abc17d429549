"""The team's side of a ticket: the card's buttons, answering by reply or in private chat."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, F
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import CallbackQuery, Message, User
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services.common.errors import Forbidden
from bot.services.directory.roles import Principal
from bot.services.procedures import guide_lookup
from bot.services.triage import actions as ticket_actions
from bot.services.triage import tickets
from handlers.common import esc, refuse
from handlers.refusals import quoting
from handlers.registry import RouterBlueprint
from handlers.triage import relay
from handlers.triage.faq import ask_privately, start_faq
from handlers.triage.flow import photo_ids
from handlers.triage.views import GuideCb, TicketAction, TicketCb, local_time, rating_keyboard
from models import LinkSide, Ticket, TicketStatus

logger = logging.getLogger(__name__)
router = RouterBlueprint("staff")
GROUP_CHATS = {"group", "supergroup"}


class StaffStates(StatesGroup):
    answer = State()


def _name(user: User) -> str:
    return " ".join(filter(None, [user.first_name, user.last_name])) or str(user.id)


async def _answer(
    bot: Bot,
    session: AsyncSession,
    settings: Settings,
    i18n: I18n,
    principal: Principal | None,
    user: User,
    ticket_id: int,
    text: str,
    photos: list[str],
) -> str:
    """Store and deliver an answer; returns what to tell the team member."""
    ticket = await ticket_actions.record_answer(
        session, ticket_id, principal, _name(user), text, photos
    )
    with i18n.use_locale(ticket.language):
        body = relay.answer_text(ticket, text)
    reached = await relay.to_resident(bot, session, ticket, body, photos=photos, also_group=True)
    await relay.refresh_card(bot, session, ticket, settings, i18n)
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


async def _answer_message(
    message: Message,
    ticket_id: int,
    session: AsyncSession,
    principal: Principal | None,
    settings: Settings,
    i18n: I18n,
    bot: Bot,
) -> None:
    """A team member's message (reply in the group, or in private after Answer) is the answer."""
    try:
        feedback = await _answer(
            bot,
            session,
            settings,
            i18n,
            principal,
            message.from_user,  # type: ignore[arg-type]
            ticket_id,
            message.text or message.caption or "",
            photo_ids(message),
        )
    except Forbidden:
        await refuse(message, "ticket.answer")
        return
    await message.reply(feedback)


@router.message(staff_reply, F.text | F.photo)
@quoting  # a refusal quotes the message it answers
async def msg_staff_reply(
    message: Message,
    ticket: Ticket,
    session: AsyncSession,
    principal: Principal | None,
    settings: Settings,
    i18n: I18n,
    bot: Bot,
) -> None:
    await _answer_message(message, ticket.id, session, principal, settings, i18n, bot)


@router.message(StaffStates.answer, F.chat.type == "private", F.text | F.photo)
@quoting  # a refusal quotes the message it answers
async def msg_private_answer(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    principal: Principal | None,
    settings: Settings,
    i18n: I18n,
    bot: Bot,
) -> None:
    data = await state.get_data()
    await state.clear()
    if message.text and message.text.startswith("/"):
        await message.answer(_("answer.cancelled"))
        return
    await _answer_message(message, int(data["ticket"]), session, principal, settings, i18n, bot)


Action = Callable[..., Awaitable[str]]


async def _take(query: CallbackQuery, ticket: Ticket, **kw: Any) -> str:
    await ticket_actions.take(kw["session"], ticket.id, kw["principal"], _name(query.from_user))
    return _("ticket.you_took").format(number=ticket.id)


async def _answer_in_private(query: CallbackQuery, ticket: Ticket, **kw: Any) -> str:
    ticket_actions.ensure_staff(kw["principal"], ticket.ward_id)
    if ticket.status is TicketStatus.CLOSED:
        return _("ticket.closed").format(number=ticket.id)
    first = await tickets.first_message(kw["session"], ticket.id)
    prompt = _("answer.prompt").format(number=ticket.id, text=esc(first.text))
    if not await ask_privately(query, kw, prompt, StaffStates.answer, ticket.id):
        return _("answer.start_bot_first")
    return _("answer.check_private")


async def _guide(query: CallbackQuery, ticket: Ticket, **kw: Any) -> str:
    ticket_actions.ensure_staff(kw["principal"], ticket.ward_id)
    first = await tickets.first_message(kw["session"], ticket.id)
    hints = await guide_lookup.suggest_guides(
        kw["session"], first.text, language=ticket.language, limit=3
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
    await query.message.answer(  # type: ignore[union-attr]
        _("guide.choose").format(number=ticket.id), reply_markup=kb.as_markup()
    )
    return ""


async def _escalate(query: CallbackQuery, ticket: Ticket, **kw: Any) -> str:
    ticket = await ticket_actions.escalate(kw["session"], ticket.id, kw["principal"])
    settings: Settings = kw["settings"]
    with kw["i18n"].use_locale(settings.language):
        headline = _("escalate.headline").format(
            number=ticket.id, name=esc(_name(query.from_user))
        )
    count = await relay.alert_officials(
        kw["bot"], kw["session"], ticket, headline, settings, kw["i18n"]
    )
    return (_("escalate.done") if count else _("escalate.nobody")).format(count=count)


async def _close(query: CallbackQuery, ticket: Ticket, **kw: Any) -> str:
    ticket = await ticket_actions.close(kw["session"], ticket.id, kw["principal"])
    with kw["i18n"].use_locale(ticket.language):
        text, markup = _("close.rate").format(number=ticket.id), rating_keyboard(ticket.id)
    await relay.to_resident(kw["bot"], kw["session"], ticket, text, markup=markup)
    return _("close.done").format(number=ticket.id)


async def _spam(query: CallbackQuery, ticket: Ticket, **kw: Any) -> str:
    settings: Settings = kw["settings"]
    ticket, until = await ticket_actions.mark_spam(
        kw["session"], ticket.id, kw["principal"], settings.triage_spam_block_hours
    )
    if until is None:
        return _("spam.done").format(number=ticket.id)
    return _("spam.blocked").format(number=ticket.id, until=local_time(until, settings.tz))


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
async def cb_ticket(
    query: CallbackQuery,
    callback_data: TicketCb,
    session: AsyncSession,
    principal: Principal | None,
    settings: Settings,
    i18n: I18n,
    bot: Bot,
    fsm_storage: BaseStorage,
) -> None:
    """Every press re-checks the presser's role against the ticket's ward."""
    kw = dict(session=session, principal=principal, settings=settings, i18n=i18n, bot=bot)
    try:
        ticket = await tickets.get(session, callback_data.id)
        text = await ACTIONS[callback_data.action](query, ticket, fsm_storage=fsm_storage, **kw)
    except Forbidden:
        await refuse(query, f"ticket.{callback_data.action.name.lower()}")
        return
    ticket = await tickets.get(session, callback_data.id)
    await relay.refresh_card(bot, session, ticket, settings, i18n)
    await query.answer(text or None)


@router.callback_query(GuideCb.filter())
async def cb_guide(
    query: CallbackQuery,
    callback_data: GuideCb,
    session: AsyncSession,
    principal: Principal | None,
    settings: Settings,
    i18n: I18n,
    bot: Bot,
) -> None:
    try:
        ticket = await tickets.get(session, callback_data.id)
        hints = await guide_lookup.suggest_guides(
            session,
            (await tickets.first_message(session, ticket.id)).text,
            language=ticket.language,
            limit=3,
        )
        title = next((h.title for h in hints if h.code == callback_data.code), "")
        body = f"📘 {title} ({callback_data.code})" if title else f"📘 {callback_data.code}"
        feedback = await _answer(
            bot, session, settings, i18n, principal, query.from_user, ticket.id, body, []
        )
    except Forbidden:
        await refuse(query, "ticket.guide")
        return
    await query.message.edit_text(feedback)  # type: ignore[union-attr]
    await query.answer()
