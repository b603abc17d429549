"""The buttons of a safety check-in: the three answers ("ci:<check-in id>:<answer>"), the kind
of help ("cn:<check-in id>:<need>"), and taking or closing a need ("cr:<answer id>:<action>").

The data carry ids only; who may answer, take or close is decided again on every press from the
person's household and roles now (bot.services.engagement), never from the button. After
"Cần hỗ trợ" the kind of help is asked in private, then (optionally) where: a Telegram location
or a typed address, kept with the household's answer.
"""

from __future__ import annotations

import enum
import logging
from typing import Annotated

from aiogram import Bot, F
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory.roles import Principal
from bot.services.engagement import checkin_board, checkins
from handlers.callback_fields import DbId
from handlers.common import refuse
from handlers.registry import RouterBlueprint

router = RouterBlueprint("checkin_buttons")
logger = logging.getLogger(__name__)


class AnswerCb(CallbackData, prefix="ci"):
    checkin: DbId  # broadcasts.telegram_ops.checkin_markup writes the same "ci:<id>:<i>"
    answer: Annotated[int, Field(ge=0, le=2)]


class NeedCb(CallbackData, prefix="cn"):
    checkin: DbId
    need: Annotated[int, Field(ge=0, le=3)]


class Act(enum.StrEnum):
    TAKE = "t"
    CLOSE = "c"


class RespondCb(CallbackData, prefix="cr"):
    answer: DbId
    act: Act


class PlaceStates(StatesGroup):
    place = State()


def status_text(status: str) -> str:
    return {
        "an_toan": _("checkin.status_an_toan"),
        "can_ho_tro": _("checkin.status_can_ho_tro"),
        "khong_co_nha": _("checkin.status_khong_co_nha"),
    }[status]


def need_text(need: str) -> str:
    return {
        "y_te": _("checkin.need_y_te"),
        "so_tan": _("checkin.need_so_tan"),
        "luong_thuc": _("checkin.need_luong_thuc"),
        "khac": _("checkin.need_khac"),
    }[need]


def need_markup(checkin_id: int) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(text=need_text(need),
                                  callback_data=NeedCb(checkin=checkin_id, need=i).pack())]
            for i, need in enumerate(checkins.NEEDS)]  # fmt: skip
    return InlineKeyboardMarkup(inline_keyboard=rows)


@router.callback_query(AnswerCb.filter())
async def cb_answer(
    query: CallbackQuery, callback_data: AnswerCb, session: AsyncSession, bot: Bot
) -> None:
    done = await checkins.answer(
        session, callback_data.checkin, callback_data.answer, query.from_user.id
    )
    label = status_text(done.status)
    if done.outcome == "new":
        text = _("checkin.answered")
    elif done.outcome == "changed":
        text = _("checkin.answer_changed")
    else:
        text = _("checkin.answer_same")
    await query.answer(text.format(address=done.address, status=label), show_alert=True)
    if done.status == checkins.HELP:  # ask what kind of help, in private
        try:
            await bot.send_message(
                query.from_user.id,
                _("checkin.ask_need"),
                reply_markup=need_markup(done.checkin_id),
            )
        except (TelegramForbiddenError, TelegramBadRequest):  # never opened a private chat
            logger.info("check-in %s: cannot ask the kind of help in private", done.checkin_id)


@router.callback_query(NeedCb.filter())
async def cb_need(
    query: CallbackQuery, callback_data: NeedCb, session: AsyncSession, bot: Bot,
    state: FSMContext,
) -> None:  # fmt: skip
    user = query.from_user.id
    need = await checkins.set_need(session, callback_data.checkin, callback_data.need, user)
    await query.answer(_("checkin.need_saved").format(need=need_text(need)))
    key = StorageKey(bot_id=bot.id, chat_id=user, user_id=user)  # the private chat
    private = FSMContext(storage=state.storage, key=key)
    await private.set_state(PlaceStates.place)
    await private.set_data({"checkin": callback_data.checkin})
    await bot.send_message(user, _("checkin.ask_place"))


@router.message(PlaceStates.place, F.chat.type == "private", F.location)
async def msg_location(message: Message, session: AsyncSession, state: FSMContext) -> None:
    assert message.location is not None and message.from_user is not None
    loc = message.location
    await _save_place(message, session, state, f"{loc.latitude:.5f},{loc.longitude:.5f}")


@router.message(PlaceStates.place, F.chat.type == "private", F.text)
async def msg_address(message: Message, session: AsyncSession, state: FSMContext) -> None:
    text = message.text or ""
    if text.startswith("/"):  # /skip (/bo_qua) or any other command ends the question
        await state.clear()
        await message.answer(_("checkin.place_skipped"))
        return
    await _save_place(message, session, state, text)


async def _save_place(
    message: Message, session: AsyncSession, state: FSMContext, place: str
) -> None:
    assert message.from_user is not None
    checkin_id = int((await state.get_data()).get("checkin") or 0)
    await state.clear()
    await checkins.set_place(session, checkin_id, message.from_user.id, place)
    await message.answer(_("checkin.place_saved"))


@router.callback_query(RespondCb.filter())
async def cb_respond(
    query: CallbackQuery,
    callback_data: RespondCb,
    session: AsyncSession,
    principal: Principal | None,
) -> None:
    if principal is None:
        await refuse(query, "checkin_respond")
        return
    if callback_data.act is Act.TAKE:
        await checkin_board.take(session, callback_data.answer, principal)
        await query.answer(_("checkin.taken").format(id=callback_data.answer), show_alert=True)
    else:
        await checkin_board.close(session, callback_data.answer, principal)
        await query.answer(_("checkin.need_done").format(id=callback_data.answer),
                           show_alert=True)  # fmt: skip
