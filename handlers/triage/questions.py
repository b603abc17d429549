"""Residents ask in private chat: /ask or "Ask about this", text and photos, a guide first."""

from __future__ import annotations

import enum
from typing import Any

from aiogram import F
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services.common import audit
from bot.services.common.errors import ServiceError
from bot.services.procedures import core as procedures
from bot.services.procedures.guides import pick
from bot.services.triage import routing as ticket_routing
from bot.services.triage import tickets
from handlers.common import button_message, command_args, error_text, esc, sender
from handlers.registry import RouterBlueprint
from handlers.triage.ask_link import AskAboutCb
from handlers.triage.context import Triage, use_context
from handlers.triage.flow import photo_ids, submit
from handlers.triage.views import ticket_line
from models import LinkSide, Resident, utcnow

router = RouterBlueprint("questions")
use_context(router)
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")


class AskStates(StatesGroup):
    draft = State()


class AskAction(enum.StrEnum):
    SEND = "s"
    SOLVED = "ok"
    CANCEL = "x"


class AskCb(CallbackData, prefix="aq"):
    action: AskAction


def _keyboard(offered: bool) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    if offered:
        kb.button(text=_("ask.button_solved"), callback_data=AskCb(action=AskAction.SOLVED))
        kb.button(text=_("ask.button_send_anyway"), callback_data=AskCb(action=AskAction.SEND))
    else:
        kb.button(text=_("ask.button_send"), callback_data=AskCb(action=AskAction.SEND))
    kb.button(text=_("ask.button_cancel"), callback_data=AskCb(action=AskAction.CANCEL))
    kb.adjust(1)
    return kb.as_markup()


async def _start_draft(
    message: Message, state: FSMContext, t: Triage, *, text: str = "", code: str | None = None
) -> bool:
    """Check the resident may ask (registered, not blocked, under the limits) and begin."""
    try:
        asker = await tickets.asker_in_private(t.session, t.resident)
        await tickets.check_can_ask(t.session, asker.telegram_id, t.policy, utcnow())
    except ServiceError as err:  # also after a button: said in the chat, not as an alert
        await message.answer(error_text(err))
        return False
    await state.set_state(AskStates.draft)
    await state.set_data({"text": text, "photos": [], "code": code, "mg": None})
    return True


async def show_confirm(
    message: Message,
    data: dict[str, Any],
    session: AsyncSession,
    resident: Resident | None,
) -> None:
    """Preview the question, offering a guide or FAQ answer that may already solve it."""
    asker = await tickets.asker_in_private(session, resident)
    suggestion = await ticket_routing.suggest(
        session, asker.ward_id, data["text"], asker.language, skip_code=data.get("code")
    )
    lines = [_("ask.preview").format(text=esc(data["text"]))]
    if data["photos"]:
        lines.append(_("ask.preview_photos").format(count=len(data["photos"])))
    if suggestion.guide is not None:
        lines.append(
            _("ask.offer_guide").format(
                title=esc(suggestion.guide.title), code=esc(suggestion.guide.code)
            )
        )
    if suggestion.faq is not None:
        lines.append(
            _("ask.offer_faq").format(
                question=esc(suggestion.faq.question), answer=esc(suggestion.faq.answer)
            )
        )
    lines.append(_("ask.offer_question") if suggestion else _("ask.confirm"))
    await message.answer("\n\n".join(lines), reply_markup=_keyboard(bool(suggestion)))


@router.message(Command("ask"))
async def cmd_ask(message: Message, state: FSMContext, t: Triage) -> None:
    text = tickets.clean_text(command_args(message))
    if not await _start_draft(message, state, t, text=text):
        return
    if text:
        await show_confirm(message, await state.get_data(), t.session, t.resident)
    else:
        await message.answer(_("ask.prompt").format(count=t.settings.triage_max_photos))


@router.callback_query(AskAboutCb.filter())
async def cb_ask_about(
    query: CallbackQuery, callback_data: AskAboutCb, state: FSMContext, t: Triage
) -> None:
    message = query.message
    assert isinstance(message, Message)
    code = callback_data.code[:20]
    if await _start_draft(message, state, t, code=code):
        settings = t.settings
        guide = (await procedures.get_index(t.session)).by_code.get(code)
        locale = I18n.get_current(no_error=False).current_locale
        title = pick(guide, "title", locale) if guide else code
        await message.answer(
            _("ask.prompt_about").format(title=esc(title), count=settings.triage_max_photos)
        )
    await query.answer()


@router.message(AskStates.draft, F.text | F.photo, ~F.text.startswith("/"))
async def msg_draft(message: Message, state: FSMContext, t: Triage) -> None:
    """Collect text and photos; an album arrives as one update per photo."""
    data, settings = await state.get_data(), t.settings
    text = tickets.clean_text(message.text or message.caption)
    if message.text and not text:  # only invisible characters: nothing was written
        await message.answer(_("ask.empty"))
        return
    if text:
        data["text"] = tickets.clean_text(f"{data['text']}\n{text}" if data["text"] else text)
    photos = photo_ids(message)
    capped = False
    if photos:
        if len(data["photos"]) >= settings.triage_max_photos:
            capped = not data.get("capped")
            data["capped"] = True
        else:
            data["photos"] = [*data["photos"], *photos]
    same_album = message.media_group_id is not None and message.media_group_id == data["mg"]
    data["mg"] = message.media_group_id
    await state.set_data(data)
    if capped:
        await message.answer(_("ask.too_many_photos").format(count=settings.triage_max_photos))
    if same_album:
        return  # one preview per album, not one per photo
    if not data["text"]:
        await message.answer(_("ask.need_text"))
        return
    await show_confirm(message, data, t.session, t.resident)


@router.message(AskStates.draft, ~F.text.startswith("/"))
async def msg_draft_other(message: Message) -> None:
    await message.answer(_("ask.text_or_photo"))


@router.callback_query(AskCb.filter(F.action == AskAction.SEND))
async def cb_send(query: CallbackQuery, state: FSMContext, t: Triage) -> None:
    message = query.message
    assert isinstance(message, Message)
    data = await state.get_data()
    if await state.get_state() != AskStates.draft.state or not data.get("text"):
        await query.answer(_("ask.nothing_to_send"), show_alert=True)
        return
    asker = await tickets.asker_in_private(t.session, t.resident)
    ticket = await submit(t, asker, data["text"], data["photos"], code=data["code"])
    await state.clear()
    await message.edit_text(_("ask.sent").format(number=ticket.id))
    await tickets.link(
        t.session, ticket.id, LinkSide.RESIDENT, message.chat.id, message.message_id
    )
    await query.answer()


@router.callback_query(AskCb.filter(F.action == AskAction.SOLVED))
async def cb_solved(query: CallbackQuery, state: FSMContext, session: AsyncSession) -> None:
    await state.clear()
    audit.record(session, "question.self_solved", actor_id=query.from_user.id)
    await session.commit()
    await button_message(query).edit_text(_("ask.glad"))
    await query.answer()


@router.callback_query(AskCb.filter(F.action == AskAction.CANCEL))
async def cb_cancel(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await button_message(query).edit_text(_("ask.cancelled"))
    await query.answer()


@router.message(Command("cancel"))
async def cmd_cancel(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(_("ask.cancelled"))


@router.message(Command("myquestions"))
async def cmd_myquestions(message: Message, session: AsyncSession, settings: Settings) -> None:
    mine = await tickets.my_tickets(session, sender(message).id)
    if not mine:
        await message.answer(_("myquestions.none"))
        return
    lines = [_("myquestions.title")] + [ticket_line(t, settings.tz) for t in mine]
    await message.answer("\n".join(lines))
