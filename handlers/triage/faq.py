"""The card's "Add to FAQ": a team member writes the question, then the answer, in general
words, in private.

The answer given to the resident is offered (it is usually addressed to them: "Chào bác Lan…");
the resident's own message is never copied, since the entry is shown to other residents
(Law 91/2025/QH15: no one's data shown to others).
"""

from __future__ import annotations

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.common.errors import Forbidden
from bot.services.directory.roles import Principal
from bot.services.triage import actions as ticket_actions
from bot.services.triage import faq
from handlers.common import esc, refuse, sender
from handlers.registry import RouterBlueprint
from handlers.triage import relay
from handlers.triage.context import Triage
from models import Ticket

router = RouterBlueprint("staff_faq")


class FaqStates(StatesGroup):
    question = State()
    answer = State()


KEEP_ANSWER = "ok"  # the answer given to the resident is already in general words


async def ask_privately(
    query: CallbackQuery, t: Triage, prompt: str, state: State, ticket_id: int
) -> bool:
    """Write `prompt` to the presser's private chat and wait there in `state`; False when
    Loa cannot write to them (they never started it)."""
    user = query.from_user
    if await relay.send(t.bot, user.id, prompt) is None:
        return False
    key = StorageKey(bot_id=t.bot.id, chat_id=user.id, user_id=user.id)
    private = FSMContext(t.fsm_storage, key)
    await private.set_state(state)
    await private.set_data({"ticket": ticket_id})
    return True


async def start_faq(query: CallbackQuery, ticket: Ticket, t: Triage) -> str:
    """Card button: ask the team member, in private, for the question in general words."""
    ticket_actions.ensure_staff(t.principal, ticket.ward_id)
    _ticket, answer = await faq.answer_of(t.session, ticket.id)
    prompt = _("faq.prompt").format(number=ticket.id, answer=esc(answer))
    if not await ask_privately(query, t, prompt, FaqStates.question, ticket.id):
        return _("answer.start_bot_first")
    return _("faq.check_private")


@router.message(FaqStates.question, F.chat.type == "private", F.text)
async def msg_faq_question(message: Message, state: FSMContext) -> None:
    """The question in general words; then the answer (the one given to the resident is
    addressed to them: a team member rewrites it, or says it already is general)."""
    if await _cancelled(message, state):
        return
    question = faq.check_question(message.text or "")  # refused: it may be written again
    await state.update_data(question=question)
    await state.set_state(FaqStates.answer)
    await message.answer(_("faq.ask_answer"))


@router.message(FaqStates.answer, F.chat.type == "private", F.text)
async def msg_faq_answer(
    message: Message, state: FSMContext, session: AsyncSession, principal: Principal | None
) -> None:
    if await _cancelled(message, state):
        return
    data = await state.get_data()
    text = (message.text or "").strip()
    try:
        ticket = await session.get(Ticket, int(data["ticket"]))
        ticket_actions.ensure_staff(principal, ticket.ward_id if ticket else 0)
        entry = await faq.create_from_ticket(
            session,
            int(data["ticket"]),
            sender(message).id,
            data["question"],
            None if text.casefold() == KEEP_ANSWER else text,
        )
    except Forbidden:
        await state.clear()
        await refuse(message, "ticket.faq")
        return
    await state.clear()
    await message.answer(_("faq.created").format(id=entry.id, number=entry.source_ticket_id))


async def _cancelled(message: Message, state: FSMContext) -> bool:
    if (message.text or "").startswith("/"):
        await state.clear()
        await message.answer(_("faq.cancelled"))
        return True
    return False
