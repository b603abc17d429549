"""The option buttons under a consultation: "cv:<consultation id>:<option index>".

The data carry ids only; who may vote is decided again on every press from the person's
household now (bot.services.engagement.votes), never from the button.
"""

from __future__ import annotations

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services.engagement import votes
from handlers.callback_fields import DbId
from handlers.registry import RouterBlueprint

router = RouterBlueprint("consult_votes")
OptionIndex = Annotated[int, Field(ge=0, le=5)]  # at most six options


class VoteCb(CallbackData, prefix="cv"):
    consult: DbId  # broadcasts.telegram_ops.consult_markup writes the same "cv:<id>:<i>"
    option: OptionIndex


@router.callback_query(VoteCb.filter())
async def cb_vote(
    query: CallbackQuery, callback_data: VoteCb, session: AsyncSession, settings: Settings
) -> None:
    done = await votes.vote(
        session,
        callback_data.consult,
        callback_data.option,
        query.from_user.id,
        settings.privacy_key,
    )
    if done.outcome == "new":
        text = _("consult.voted")
    elif done.outcome == "changed":
        text = _("consult.vote_changed")
    else:
        text = _("consult.vote_same")
    await query.answer(text.format(address=done.address, option=done.option), show_alert=True)
