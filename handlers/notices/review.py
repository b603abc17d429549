"""Approval: a second official approves or rejects (with a reason) from a card; /pending.

The card shows the notice exactly as residents will see it. Whoever presses is checked again:
never the author, only officials of the ward, and only while the notice still waits.
"""

from __future__ import annotations

import enum
import logging
from typing import Any

from aiogram import Bot, F
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.logs import who
from bot.services.common.errors import Forbidden, ServiceError
from bot.services.directory.roles import Principal
from bot.services.notices import announcements as ann
from bot.services.notices import approval
from handlers.callback_fields import DbId
from handlers.common import esc, refuse, sender
from handlers.notices.flow import Ctx, summary
from handlers.notices.render import show
from handlers.registry import RouterBlueprint
from models import Notice

logger = logging.getLogger(__name__)
router = RouterBlueprint("announce_review")
SIDE = 1800  # each side of a correction card: both fit in one message


class Verdict(enum.StrEnum):
    APPROVE = "ok"
    REJECT = "no"
    SHOW = "show"


class ReviewCb(CallbackData, prefix="rv"):
    verdict: Verdict
    notice: DbId
    round: int = 0  # the review round the card belongs to: an older card decides nothing


class ReviewStates(StatesGroup):
    reason = State()


def _buttons(notice: Notice) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for text, verdict in ((_("review.btn_approve"), Verdict.APPROVE),
                          (_("review.btn_reject"), Verdict.REJECT)):  # fmt: skip
        kb.button(text=text, callback_data=ReviewCb(verdict=verdict, notice=notice.id,
                                                    round=notice.review_round))  # fmt: skip
    kb.adjust(1)
    return kb.as_markup()


def _clip(text: str) -> str:
    return esc(text if len(text) <= SIDE else text[: SIDE - 1] + "…")


async def _card(bot: Bot, chat_id: int, notice: Notice, session: AsyncSession,
                settings: Settings, old_text: str | None = None) -> Message:  # fmt: skip
    """The card a reviewer decides on: the notice as residents will see it, or, for a
    correction, the text being sent now and the proposed one side by side."""
    if notice.pending_text is not None:
        if len(notice.pending_text) > SIDE:  # clipped on the card: every word first
            await show(bot, chat_id, text=notice.pending_text, urgency=notice.urgency,
                       mark="correction", buttons=False, issuer=notice.issuer)  # fmt: skip
        head = _("review.fix_card_title").format(
            id=notice.id, author=esc(notice.pending_name or str(notice.pending_by))
        )
        body = _("review.side_by_side").format(old=_clip(notice.text),
                                               new=_clip(notice.pending_text))  # fmt: skip
        return await bot.send_message(chat_id, f"{head}\n\n{body}", reply_markup=_buttons(notice))
    draft = ann.draft_of(notice)
    await show(bot, chat_id, text=notice.text, urgency=notice.urgency, media=draft.media,
               event=notice.event_at is not None, issuer=notice.issuer)  # fmt: skip
    lines, _pending, _short = await summary(draft, session, settings)
    head = _("review.card_title").format(id=notice.id, author=esc(author_of(notice)))
    body = "\n".join(lines.split("\n")[1:])  # the summary without its "preview" title
    if old_text is not None:  # sent again after a correction: what changed
        body += "\n\n" + _("review.side_by_side").format(old=_clip(old_text),
                                                         new=_clip(notice.text))  # fmt: skip
    return await bot.send_message(chat_id, f"{head}\n{body}", reply_markup=_buttons(notice))


def author_of(notice: Notice) -> str:
    return notice.author_name or str(notice.created_by or "")


async def send_cards(bot: Bot, session: AsyncSession, settings: Settings, notice_id: int,
                     old_text: str | None = None) -> int:  # fmt: skip
    """Send this round's approval card to every other official; returns how many got it."""
    notice = await approval.pending_notice(session, notice_id)
    ids = await approval.reviewers(session, notice.ward_id, approval.proposer(notice) or 0,
                                   settings.admin_ids)  # fmt: skip
    cards = []
    for chat_id in ids:
        try:
            card = await _card(bot, chat_id, notice, session, settings, old_text)
        except TelegramAPIError as exc:  # never opened a chat with Loa, or blocked it
            logger.warning("approval card for notice %s not delivered: %s", notice_id, exc)
            continue
        cards.append([chat_id, card.message_id])
    await approval.remember_cards(session, notice_id, cards)
    return len(cards)


async def tell_officials_break_glass(c: Ctx, notice_id: int) -> None:
    """Break-glass: the emergency went out on one approval; every other official is told."""
    notice = await approval.pending_notice(c.session, notice_id)
    ids = await approval.reviewers(c.session, notice.ward_id, notice.created_by or 0,
                              c.settings.admin_ids)  # fmt: skip
    text = _("review.break_glass").format(
        id=notice_id, author=esc(c.message.chat.full_name or ""), text=esc(notice.text[:500])
    )
    for chat_id in ids:
        try:
            await c.bot.send_message(chat_id, text)
        except TelegramAPIError as exc:
            logger.warning("break-glass notice to an official not delivered: %s", exc)


async def close_cards(bot: Bot, cards: list[list[int]], text: str) -> None:
    """Edit the approval cards of a decided (or voided) round so nobody presses them again."""
    for chat_id, message_id in cards:
        try:
            await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id)
        except TelegramAPIError:  # deleted by its owner, or already edited
            pass


async def _tell(bot: Bot, chat_id: int | None, notice_id: int, text: str) -> None:
    if chat_id:
        try:
            await bot.send_message(chat_id, text)
        except TelegramAPIError as exc:
            logger.warning("could not tell the author of notice %s: %s", notice_id, exc)


@router.callback_query(ReviewCb.filter(F.verdict == Verdict.APPROVE))
async def cb_approve(query: CallbackQuery, callback_data: ReviewCb, session: AsyncSession,
                     principal: Principal | None, settings: Settings, bot: Bot,
                     **data: Any) -> None:  # fmt: skip
    if principal is None or not principal.is_staff:
        await refuse(query, "approve")
        return
    name = query.from_user.full_name
    try:
        done = await approval.approve(session, callback_data.notice, principal, settings,
                                      round_=callback_data.round, name=name)  # fmt: skip
    except ServiceError as err:
        logger.warning("approval of notice %s by %s refused: %s", callback_data.notice,
                       who(principal.telegram_id), err.key)  # fmt: skip
        raise  # told by the refusal middleware
    await query.answer(_("review.approved_toast"))
    notice = done.notice
    if done.corrected:
        await close_cards(
            bot,
            notice.review_messages,
            _("review.fix_card_approved").format(id=notice.id, name=esc(name)),
        )
        await _tell(
            bot,
            done.proposer or notice.created_by,
            notice.id,
            _("review.fix_author_approved").format(id=notice.id, name=esc(name)),
        )
    else:
        await close_cards(
            bot,
            notice.review_messages,
            _("review.card_approved").format(id=notice.id, name=esc(name)),
        )
        text = _("review.author_approved").format(id=notice.id, name=esc(name))
        if done.held_until:
            local = done.held_until.astimezone(settings.tz)
            text += "\n" + _("announce.held").format(when=f"{local:%H:%M %d/%m}")
        await _tell(bot, notice.created_by, notice.id, text)
    if (sender := data.get("sender")) is not None:
        sender.wake()


@router.callback_query(ReviewCb.filter(F.verdict == Verdict.REJECT))
async def cb_reject(query: CallbackQuery, callback_data: ReviewCb, session: AsyncSession,
                    principal: Principal | None, state: FSMContext, bot: Bot) -> None:  # fmt: skip
    if principal is None or not principal.is_staff:
        await refuse(query, "reject")
        return
    notice = await approval.pending_notice(session, callback_data.notice)
    approval.check_reviewer(notice, principal, callback_data.round)
    await query.answer()
    await state.set_state(ReviewStates.reason)
    await state.update_data(notice=callback_data.notice, round=callback_data.round)
    await bot.send_message(
        query.from_user.id, _("review.ask_reason").format(id=callback_data.notice)
    )


@router.message(ReviewStates.reason, F.chat.type == "private")
async def msg_reason(message: Message, state: FSMContext, session: AsyncSession,
                     principal: Principal | None, bot: Bot) -> None:  # fmt: skip
    if message.text and message.text.startswith("/"):
        await state.clear()
        await message.answer(_("review.reject_cancelled"))
        return
    data = await state.get_data()
    name = sender(message).full_name
    try:
        if principal is None:
            raise Forbidden("error.forbidden")
        done = await approval.reject(session, data["notice"], principal, message.text or "",
                                     round_=data.get("round"), name=name)  # fmt: skip
    except ServiceError as err:
        if err.key != "review.reason_empty":  # an empty reason may be written again
            await state.clear()
        raise  # told by the refusal middleware
    await state.clear()
    notice, reason = done.notice, esc(done.notice.reject_reason or "")
    if done.correction:
        card, told = _("review.fix_card_rejected"), _("review.fix_author_rejected")
    else:
        card, told = _("review.card_rejected"), _("review.author_rejected")
    await close_cards(bot, notice.review_messages,
                      card.format(id=notice.id, name=esc(name), reason=reason))  # fmt: skip
    await _tell(bot, done.tell, notice.id, told.format(id=notice.id, name=esc(name),
                                                       reason=reason))  # fmt: skip
    await message.answer(_("review.rejected_done").format(id=notice.id))


@router.message(Command("pending"), F.chat.type == "private")
async def cmd_pending(
    message: Message, session: AsyncSession, principal: Principal | None
) -> None:
    wards = approval.official_wards(principal) if principal else set()
    if principal is None or (wards is not None and not wards):
        await refuse(message, "pending")
        return
    notices = await approval.waiting(session, wards)
    if not notices:
        await message.answer(_("review.none_pending"))
        return
    kb = InlineKeyboardBuilder()
    lines = [_("review.pending_title")]
    for n in notices:
        first = esc((n.pending_text or n.text).split("\n", 1)[0][:60])
        mark = "✏️ " if n.pending_text is not None else ""
        lines.append(f"• {mark}#{n.id} — {first}")
        kb.button(text=f"#{n.id}", callback_data=ReviewCb(verdict=Verdict.SHOW, notice=n.id,
                                                          round=n.review_round))  # fmt: skip
    kb.adjust(4)
    await message.answer("\n".join(lines), reply_markup=kb.as_markup())


@router.callback_query(ReviewCb.filter(F.verdict == Verdict.SHOW))
async def cb_show(query: CallbackQuery, callback_data: ReviewCb, session: AsyncSession,
                  principal: Principal | None, settings: Settings, bot: Bot) -> None:  # fmt: skip
    notice = await approval.pending_notice(session, callback_data.notice)
    if principal is None:
        raise Forbidden("error.forbidden")
    approval.check_reviewer(notice, principal)
    await query.answer()
    card = await _card(bot, query.from_user.id, notice, session, settings)
    await approval.remember_cards(session, notice.id, [[query.from_user.id, card.message_id]])
